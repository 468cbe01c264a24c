// Vite bundles CSS imported for its side effect into an external stylesheet.
declare module '*.css' {}

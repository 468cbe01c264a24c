export type { CloseCode, ErrorCode } from './codes.js'
export { CloseCodes, ErrorCodes, isErrorCode, terminalCloseCodes } from './codes.js'
export type { ClientFrame, Cursors, DecodeResult, ServerFrame, StreamItem } from './frames.js'
export {
  decodeClientFrame,
  decodeServerFrame,
  encodeFrame,
  identifierLimits,
  protocolVersion,
} from './frames.js'

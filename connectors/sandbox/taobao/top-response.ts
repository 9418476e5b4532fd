import { responseKey, SUB_CODES } from '../../taobao/methods.ts';

/** A TOP failure a handler raises; the router answers it as `error_response`. */
export class TopFault extends Error {
  readonly code: number;
  readonly msg: string;
  readonly subCode: string | undefined;
  readonly subMsg: string | undefined;

  constructor(code: number, msg: string, subCode?: string, subMsg?: string) {
    super(`${code} ${subCode ?? ''} ${subMsg ?? msg}`);
    this.code = code;
    this.msg = msg;
    this.subCode = subCode;
    this.subMsg = subMsg;
  }
}

/** A business refusal: TOP sends these as code 15 with an `isv.` sub_code. */
export function businessFault(subCode: string, subMsg: string): TopFault {
  return new TopFault(15, 'Remote service error', subCode, subMsg);
}

/** A missing or malformed business parameter. */
export function invalidParameter(subMsg: string): TopFault {
  return businessFault(SUB_CODES.invalidParameter, subMsg);
}

let requests = 0;
/** TOP puts a request id in every answer; support asks for it. */
const requestId = (): string => `${Date.now().toString(36)}${(++requests).toString(36)}`;

/** `{"error_response": {...}}` for a fault. */
export function errorBody(f: TopFault): Record<string, unknown> {
  const err: Record<string, unknown> = { code: f.code, msg: f.msg };
  if (f.subCode) err.sub_code = f.subCode;
  if (f.subMsg) err.sub_msg = f.subMsg;
  err.request_id = requestId();
  return { error_response: err };
}

/** `{"<method with dots as underscores>_response": {...}}` for a success. */
export function okBody(method: string, inner: object): Record<string, unknown> {
  return { [responseKey(method)]: { ...inner, request_id: requestId() } };
}

/** Platform answers the router gives before a handler runs. */
export const PLATFORM = {
  badSign: () => new TopFault(25, 'Invalid signature'),
  badTimestamp: (msg: string) => new TopFault(25, 'Invalid signature', SUB_CODES.invalidTimestamp, msg),
  badAppKey: () => new TopFault(29, 'Invalid app Key'),
  badMethod: (method: string) => new TopFault(22, 'Invalid method', undefined, `unknown method ${method}`),
  invalidSession: (sub: string) => new TopFault(27, 'Invalid session', sub, 'SessionKey非法或已过期'),
  callLimited: (seconds: number) => new TopFault(7, 'App Call Limited', SUB_CODES.callLimited, `This ban will last for ${seconds} more seconds`),
  busy: () => new TopFault(15, 'Remote service error', SUB_CODES.serviceUnavailable, '服务暂时不可用，请稍后重试'),
};

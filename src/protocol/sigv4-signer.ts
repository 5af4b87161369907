/**
 * The signer verification uses: @smithy/signature-v4's, plus the one header-form case it cannot
 * compute. Its `sign` drops a `date` header and adds `x-amz-date`, but SigV4 signs `date` like any
 * header when the client listed it (alone, the request's timestamp; with `x-amz-date`, just a header),
 * so that case builds the canonical request over exactly the headers the client signed.
 */
import { createHmac } from "node:crypto";
import { getCanonicalHeaders, getPayloadHash, SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest } from "@smithy/types";

export interface ExactSigning {
  /** yyyymmddThhmmssZ: the request's timestamp (from X-Amz-Date, or else from Date). */
  readonly longDate: string;
  readonly region: string;
  readonly service: string;
  /** Headers present on the request that the client did not sign (a declared payload hash). */
  readonly unsignable: ReadonlySet<string>;
}

export class VerifyingSigner extends SignatureV4 {
  /** The header-form signature over `request`'s headers as they are: none added, none dropped. */
  async exactSignature(request: HttpRequest, signing: ExactSigning): Promise<string> {
    const { longDate, region, service } = signing;
    const scope = `${longDate.slice(0, 8)}/${region}/${service}/aws4_request`;
    const headers = getCanonicalHeaders(request, new Set(signing.unsignable));
    const canonical = this.createCanonicalRequest(request, headers, await getPayloadHash(request, this.sha256));
    const stringToSign = await this.createStringToSign(longDate, scope, canonical, "AWS4-HMAC-SHA256");
    const { secretAccessKey } = await this.credentialProvider();
    let key: Buffer | string = `AWS4${secretAccessKey}`;
    for (const part of [longDate.slice(0, 8), region, service, "aws4_request"]) key = createHmac("sha256", key).update(part).digest();
    return createHmac("sha256", key).update(stringToSign).digest("hex");
  }
}

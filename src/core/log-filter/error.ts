/** A pattern CloudWatch Logs would refuse; services answer it as InvalidParameterException. */
export class FilterPatternError extends Error {
  constructor(detail?: string) {
    super(detail ? `Invalid filter pattern: ${detail}` : "Invalid filter pattern");
    this.name = "FilterPatternError";
  }
}

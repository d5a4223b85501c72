/**
 * The only kind of error whose message may reach a browser. Everything else is logged with a request
 * id and shown as a generic message carrying that id.
 */
export class UserFacingError extends Error {
  override name = "UserFacingError";
  constructor(
    message: string,
    readonly fieldErrors: Record<string, string> = {},
  ) {
    super(message);
  }
}

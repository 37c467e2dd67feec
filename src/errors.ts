/** Base of every error ioctl32 raises on purpose: callers can tell them from bugs. */
export class Ioctl32Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A command-line or API argument that cannot be used as given (exit code 2). */
export class UsageError extends Ioctl32Error {}

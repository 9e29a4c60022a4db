/**
 * A mistake on the command line (unknown flag value, missing argument): the `basalt` command
 * prints its message with a pointer to `--help` and exits with status 2.
 * @module
 */
export class UsageError extends Error {}

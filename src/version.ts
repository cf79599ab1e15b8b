/** Kept in step with package.json by the release workflow (a test checks they agree). */
export const VERSION = '1.0.0';
export const USER_AGENT = `ci-notify/${VERSION}`;

/**
 * What is wrong with a rendered JSON body, without its text. V8's SyntaxError quotes the start of
 * the text it failed on (`Unexpected token 's', "{"token": "s3cr…"... is not valid JSON`), and a
 * rendered template may hold `${env.NAME}` values that are credentials the redactor never saw.
 */
export function jsonErrorWithoutText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/,\s*".*?"(\.\.\.)? is not valid JSON$/s, ' (not valid JSON)');
}

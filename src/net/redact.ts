/**
 * The one redaction function of gitcanary. Everything that may print, record or commit text that
 * could hold a credential (loggers, the Action's outputs, error messages, response bodies) passes
 * through here, so there is one notion of "a secret" and one way to hide it.
 */

/** What replaces a secret. */
export const mask = '***';

/**
 * Environment values shorter than this are not taken for secrets (they would mask ordinary words),
 * and shorter parts of a secret are masked only at its edges (see `redactEcho`).
 */
export const minSecretLength = 4;

/** Environment variable names whose values are secrets. */
export const secretEnvName = /TOKEN|PASSWORD|SECRET|PRIVATE.?KEY|CREDENTIAL/i;

/**
 * `text` with every occurrence of every secret replaced by `***` (longest secrets first, so a
 * secret containing another is masked whole), and credentials in URLs (`https://user:pw@host`)
 * replaced too. Empty secrets are ignored.
 * @example redact('Bearer abcd1234 at https://u:p@h/', ['abcd1234']) === 'Bearer *** at https://***@h/'
 */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@'"]+@/gi, `$1${mask}@`);
  for (const s of ordered(secrets)) out = out.split(s).join(mask);
  return out;
}

/**
 * A reusable redactor over a fixed list of secrets.
 * @example redactor(['s3cr3t-value'])('x s3cr3t-value') === 'x ***'
 */
export function redactor(secrets: Iterable<string>): (text: string) => string {
  const list = ordered(secrets);
  return (text) => redact(text, list);
}

/** Characters a token, password or base64 blob is made of. */
const credentialRun = /[A-Za-z0-9+/=._~:-]+/g;

/**
 * Text from outside (a response body from a server that received a credential) redacted for
 * partial echoes too: besides every whole secret, any run of credential characters that is part of
 * a secret (at least `minSecretLength` long, or any prefix or suffix of it) becomes `***`. A
 * server echoing `abcd` of the token `abcdefgh…` shows `***`, not the token's first characters.
 * @example redactEcho('bad token abc', ['abcdef1234']) === 'bad token ***'
 */
export function redactEcho(text: string, secrets: Iterable<string>): string {
  const list = ordered(secrets);
  const whole = redact(text, list);
  return whole.replace(credentialRun, (run) => (list.some((s) => isFragment(run, s)) ? mask : run));
}

function isFragment(run: string, secret: string): boolean {
  if (run.length >= minSecretLength && secret.includes(run)) return true;
  return secret.startsWith(run) || secret.endsWith(run) || fragmentAtEdge(run, secret);
}

/** A run ending with a prefix of the secret, or starting with its suffix (glued to other text). */
function fragmentAtEdge(run: string, secret: string): boolean {
  for (let k = Math.min(run.length, secret.length); k >= minSecretLength; k--) {
    if (run.endsWith(secret.slice(0, k)) || run.startsWith(secret.slice(secret.length - k))) return true;
  }
  return false;
}

/**
 * Redacts untrusted text first, then cuts it to `max` characters on one line (`…` when cut), so
 * no cut can leave part of a secret behind.
 * @example snippet('{"e":"tok-123456"}', ['tok-123456'], 8) === '{"e":"**…'
 */
export function snippet(body: string, secrets: Iterable<string>, max = 200): string {
  const one = redactEcho(body, secrets).replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

/**
 * The secret values of an environment: every variable named like a secret (`PROMETHEUS_TOKEN`,
 * `GITCANARY_SECRET_X_PASSWORD`, `GITHUB_TOKEN`), and the password of any `scheme://user:pw@host`
 * value.
 */
export function secretsOfEnv(env: NodeJS.ProcessEnv): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    const v = value?.trim();
    if (!v) continue;
    // An Action input is a secret whatever its length; another variable from minSecretLength on.
    if (secretEnvName.test(name) && (name.startsWith('INPUT_') || v.length >= minSecretLength)) out.add(v);
    const pw = urlPassword(v);
    if (pw) out.add(pw).add(safeDecode(pw));
  }
  return [...out];
}

/** The password of `scheme://user:password@host…`, if any. */
export function urlPassword(value: string): string | undefined {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@\s]+)@/i.exec(value)?.[1];
  const colon = userinfo?.indexOf(':') ?? -1;
  return userinfo && colon >= 0 && colon < userinfo.length - 1 ? userinfo.slice(colon + 1) : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function ordered(secrets: Iterable<string>): string[] {
  return [...new Set([...secrets].filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
}

/**
 * The most rows one list request answers (runs, audit entries, alert events, …), over HTTP (`?limit=`) and
 * in the CLI (`--limit`). Its own file so that the CLI can check its flags without loading the registry API.
 */
export const MAX_LIST_LIMIT = 10_000;

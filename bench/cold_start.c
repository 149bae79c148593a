/* One account scored by a fresh process, the way a service starts: for the AOT target
 * (issue 13) timed by bench/aot_cold_start.sh with hyperfine, two builds of this file:
 *   cold_start_aot CARD.so ACCOUNT.json     hc_load + hc_score_json; linked against
 *                                           libhealthc_runtime.so only (no compiler inside)
 *   cold_start_jit CARD.health ACCOUNT.json hc_compile (JIT, on-disk cache off) + hc_score_json;
 *                                           linked against libhealthc.so
 * Both print the result object, so the script can check they agree. */
#include <stdio.h>
#include <stdlib.h>

#include "healthc/healthc.h"

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
    n += got;
    if (n == cap) buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  *len = n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s CARD ACCOUNT.json\n", argv[0]);
    return 2;
  }
  size_t account_len = 0;
  char *account = read_all(argv[2], &account_len);
  if (!account) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 2;
  }
#ifdef COLD_START_JIT
  size_t card_len = 0;
  char *text = read_all(argv[1], &card_len);
  if (!text) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  hc_options *opts = hc_options_new();
  hc_options_set_cache(opts, 0, NULL); /* a cold compile, as a fresh service without a cache */
  hc_diagnostics *diags = NULL;
  hc_card *card = hc_compile(text, card_len, argv[1], opts, &diags);
  if (!card) fprintf(stderr, "%s", hc_diagnostics_text(diags));
  hc_diagnostics_free(diags);
  hc_options_free(opts);
  free(text);
#else
  char *error = NULL;
  hc_card *card = hc_load(argv[1], &error);
  if (!card) fprintf(stderr, "%s\n", error);
  hc_free(error);
#endif
  if (!card) return 1;
  char *result = NULL;
  const int rc = hc_score_json(card, account, account_len, "2026-11-01", &result);
  if (result) puts(result);
  hc_free(result);
  hc_card_free(card);
  free(account);
  return rc == HC_OK ? 0 : 1;
}

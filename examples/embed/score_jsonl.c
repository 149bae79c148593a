/* Scores a JSON Lines file of accounts with hc_score_json, one result object a line on stdout.
 * Usage: score_jsonl CARD DATA.jsonl [AS_OF]
 * CARD is a .health file (compiled with hc_compile) or an artefact from
 * `healthc compile CARD --emit shared -o card.so` (loaded with hc_load).
 * Exit 0 when every account scored, 3 when some were rejected, 1 on a card error, 2 usage. */
#include <healthc/healthc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The whole file in memory (NUL-terminated); null when it cannot be read. */
static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t cap = 0, n = 0, got;
  if (!f) return NULL;
  do {
    if (n + 4096 + 1 > cap) {
      char *bigger;
      cap = cap ? cap * 2 : 65536;
      bigger = realloc(buf, cap);
      if (!bigger) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = bigger;
    }
    got = fread(buf + n, 1, 4096, f);
    n += got;
  } while (got > 0);
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

static hc_card *open_card(const char *path) {
  hc_card *card;
  if (ends_with(path, ".health")) {
#ifdef SCORE_JSONL_RUNTIME_ONLY
    fprintf(stderr, "score_jsonl: this build links libhealthc_runtime.so, which has no compiler: "
                    "give an artefact (healthc compile %s --emit shared -o card.so)\n", path);
    return NULL;
#else
    size_t len = 0;
    char *text = read_all(path, &len);
    hc_diagnostics *diags = NULL;
    if (!text) {
      fprintf(stderr, "score_jsonl: cannot read %s\n", path);
      return NULL;
    }
    card = hc_compile(text, len, path, NULL, &diags);
    free(text);
    if (!card) fputs(hc_diagnostics_text(diags), stderr);
    hc_diagnostics_free(diags);
    return card;
#endif
  } else {
    char *error = NULL;
    card = hc_load(path, &error);
    if (!card) fprintf(stderr, "score_jsonl: %s\n", error ? error : "cannot load the artefact");
    hc_free(error);
    return card;
  }
}

int main(int argc, char **argv) {
  size_t len = 0;
  char *data, *line;
  const char *as_of;
  hc_card *card;
  int status = 0;
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: score_jsonl CARD DATA.jsonl [AS_OF]\n");
    return 2;
  }
  as_of = argc == 4 ? argv[3] : NULL;
  card = open_card(argv[1]);
  if (!card) return 1;
  data = read_all(argv[2], &len);
  if (!data) {
    fprintf(stderr, "score_jsonl: cannot read %s\n", argv[2]);
    hc_card_free(card);
    return 2;
  }
  for (line = data; line < data + len;) {
    char *end = memchr(line, '\n', (size_t)(data + len - line));
    size_t n = end ? (size_t)(end - line) : (size_t)(data + len - line);
    if (n > 0) {
      char *result = NULL;
      int rc = hc_score_json(card, line, n, as_of, &result);
      if (rc == HC_OK || rc == HC_REJECTED) {
        printf("%s\n", result);
        if (rc == HC_REJECTED) status = 3;
      } else {
        fprintf(stderr, "score_jsonl: hc_score_json failed (%d)\n", rc);
        status = 1;
      }
      hc_free(result);
    }
    line += n + 1;
  }
  free(data);
  hc_card_free(card);
  return status;
}

/* The healthc embedding API (C11): compile a scorecard once (or load an ahead-of-time compiled
 * one), then score accounts from any number of threads. Opaque handles, no C++ types; this is
 * the only header a service includes. docs/embedding.md documents it with examples.
 *
 * Rules for every function: nothing prints, exits or throws; errors are return values. Strings
 * the API hands over (char **) are freed with hc_free; const char * results belong to their
 * handle and live as long as it. Every const hc_card * call is safe from many threads at once. */
#ifndef HEALTHC_HEALTHC_H
#define HEALTHC_HEALTHC_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define HC_API __attribute__((visibility("default")))
#else
#define HC_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define HC_VERSION_MAJOR 0
#define HC_VERSION_MINOR 1
#define HC_VERSION_PATCH 0

/* Return codes. */
#define HC_OK 0
#define HC_REJECTED 1    /* the account cannot be scored: the reason is in the result */
#define HC_EINVAL (-1)   /* a bad argument (null handle, wrong sizes, malformed as_of) */
#define HC_ENOMEM (-2)   /* out of memory */
#define HC_EINTERNAL (-3) /* a defect in healthc: please report it */

/* "0.1.0": the library's version (HC_VERSION_* are the header's). */
HC_API const char *hc_version(void);
/* Frees a string the API returned through a char ** (null is fine). */
HC_API void hc_free(void *p);

/* ---- Compiling (libhealthc.so only; libhealthc_runtime.so has no compiler) ---- */

typedef struct hc_options hc_options;
typedef struct hc_diagnostics hc_diagnostics;
typedef struct hc_card hc_card;

typedef enum hc_engine {
  HC_ENGINE_JIT = 0,       /* native code (LLVM), cached on disk; the default */
  HC_ENGINE_EVALUATOR = 1  /* the reference evaluator: no code generation, same results */
} hc_engine;

/* Null when out of memory. */
HC_API hc_options *hc_options_new(void);
HC_API void hc_options_free(hc_options *opts);
/* Overrides a param of the card (as `--param NAME=VALUE`); an unknown name is reported by
 * hc_compile. Returns HC_OK, or HC_EINVAL (also for NaN and infinities, which `--param` refuses). */
HC_API int hc_options_set_param(hc_options *opts, const char *name, double value);
/* `engine` is an hc_engine value (an int, so any value a caller passes is defined behaviour);
 * another value is HC_EINVAL. */
HC_API int hc_options_set_engine(hc_options *opts, int engine);
/* Reuse compiled code from the on-disk cache (enabled != 0, the default); `dir` null or "" is
 * the default place ($HEALTHC_CACHE_DIR, else $XDG_CACHE_HOME/healthc, else ~/.cache/healthc). */
HC_API int hc_options_set_cache(hc_options *opts, int enabled, const char *dir);

/* Compiles the card `text` (`len` bytes, not necessarily NUL-terminated); `file_name` names it
 * in diagnostics (null: "<input>"); `opts` may be null (defaults). Returns the card, or null
 * with *diags set to why (card errors, an unknown param, code generation failure, a null `text`
 * with `len` > 0). Both variants of the native code are made here, so no later call compiles.
 * When `diags` is not null it is always set (warnings and notes too on success; free it with
 * hc_diagnostics_free); it stays null only when even that could not be allocated. */
HC_API hc_card *hc_compile(const char *text, size_t len, const char *file_name, const hc_options *opts,
                           hc_diagnostics **diags);

/* The number of diagnostics: errors, warnings, and notes such as "past the compile budget: scored
 * by the evaluator" (a usage error or a note counts as one; their JSON objects have no "code"). */
HC_API size_t hc_diagnostics_count(const hc_diagnostics *diags);
/* The number of errors among them. */
HC_API size_t hc_diagnostics_error_count(const hc_diagnostics *diags);
/* Byte for byte what `healthc check --format json FILE` prints: one JSON object a line. */
HC_API const char *hc_diagnostics_json(const hc_diagnostics *diags);
/* What `healthc check FILE` prints on stderr for each diagnostic (no colour, no summary). */
HC_API const char *hc_diagnostics_text(const hc_diagnostics *diags);
HC_API void hc_diagnostics_free(hc_diagnostics *diags);

/* ---- Loading an ahead-of-time artefact (`healthc compile CARD --emit shared -o card.so`) ---- */

/* Null with *error set (free with hc_free) when the artefact cannot be used: not one, another
 * ABI version, a CPU without the features it was compiled for. `error` may be null. */
HC_API hc_card *hc_load(const char *path, char **error);
HC_API void hc_card_free(hc_card *card);

/* ---- Metadata. Out of range indexes give null / -1 / 0. ---- */

typedef enum hc_field_kind {
  HC_FIELD_NUMBER = 0,
  HC_FIELD_BOOL = 1,
  HC_FIELD_TEXT = 2,
  HC_FIELD_DATE = 3,
  HC_FIELD_ENUM = 4
} hc_field_kind;

HC_API const char *hc_card_title(const hc_card *card);
HC_API size_t hc_field_count(const hc_card *card);
HC_API const char *hc_field_name(const hc_card *card, size_t field);
HC_API int hc_field_type(const hc_card *card, size_t field); /* an hc_field_kind, or -1 */
HC_API int hc_field_optional(const hc_card *card, size_t field); /* 1, 0, or -1 */
HC_API size_t hc_field_member_count(const hc_card *card, size_t field); /* enum members */
HC_API const char *hc_field_member(const hc_card *card, size_t field, size_t member); /* as the card names it */
/* The member as the data spells it (`monthly = "Month-to-month"`: "Month-to-month"; a member
   without `= "..."`: its name): the text hc_score_json reads for it. */
HC_API const char *hc_field_member_spelling(const hc_card *card, size_t field, size_t member);
HC_API int hc_key_field(const hc_card *card); /* the key field's index, or -1 */
HC_API size_t hc_measure_count(const hc_card *card);
HC_API const char *hc_measure_name(const hc_card *card, size_t measure);
HC_API const char *hc_measure_title(const hc_card *card, size_t measure);
HC_API size_t hc_band_count(const hc_card *card);
HC_API const char *hc_band_name(const hc_card *card, size_t band);
HC_API const char *hc_band_title(const hc_card *card, size_t band);
HC_API const char *hc_band_color(const hc_card *card, size_t band);
HC_API int hc_band_from(const hc_card *card, size_t band); /* inclusive; -1 out of range */
HC_API int hc_band_to(const hc_card *card, size_t band);   /* inclusive; -1 out of range */
HC_API size_t hc_segment_count(const hc_card *card);
HC_API const char *hc_segment_name(const hc_card *card, size_t segment);
HC_API const char *hc_segment_title(const hc_card *card, size_t segment);
HC_API size_t hc_label_count(const hc_card *card);
HC_API const char *hc_label_name(const hc_card *card, size_t label);
HC_API const char *hc_label_title(const hc_card *card, size_t label);
HC_API size_t hc_override_count(const hc_card *card);
HC_API const char *hc_override_name(const hc_card *card, size_t override_index);
HC_API const char *hc_override_title(const hc_card *card, size_t override_index);

/* ---- Scoring one account as JSON ---- */

/* `account_json` (`len` bytes) is one JSON object, as one line of JSON Lines input: keys name
 * fields, values as `healthc score` reads them. `as_of` is "YYYY-MM-DD" or null (today, UTC).
 * On HC_OK, *result_json (free with hc_free) is
 *   {"key":..,"segment":..,"score":N|null,"band":..,"color":..,"label":..|null,
 *    "override":..|null,"reasons":[{"measure":..,"points":N},..],
 *    "measures":{"NAME":{"value":..,"score":..,"weight":..},..}}
 * with names, reasons and numbers as `healthc score --explain` prints them. On HC_REJECTED
 * it is {"rejected":"<reason>"}, the reason `healthc score` gives for that row. HC_EINVAL for
 * a null argument or a malformed as_of (result_json is then left null). */
HC_API int hc_score_json(const hc_card *card, const char *account_json, size_t len, const char *as_of,
                         char **result_json);

/* ---- Scoring a block of accounts in columns (zero copies of the inputs) ---- */

/* Layout-identical to healthc's internal text cell: `size` bytes at `data` (which may be null
 * when size is 0). A present cell of an optional field may be empty; of a required one not. */
typedef struct hc_text {
  const char *data;
  uint64_t size;
} hc_text;

/* One field's column over `rows` rows, in the card's field order. Non-text fields use `values`
 * (numbers; enums the member index; bools 0/1; dates days since 1970-01-01), text fields
 * `text`. `valid` holds a byte a row, 1 present and 0 missing; null means every row present. */
typedef struct hc_column {
  const double *values;
  const hc_text *text;
  const uint8_t *valid;
} hc_column;

/* Per-row status (hc_batch_out.status). */
#define HC_ROW_OK 0
#define HC_ROW_MISSING_REQUIRED 1 /* a required field is missing: the row is not scored */
#define HC_ROW_INVALID_VALUE 2    /* a present value outside its type: a number not finite, a bool
                                     not 0/1, a date not whole days, an enum index not a member */

typedef struct hc_batch_in {
  size_t rows;
  size_t field_count;        /* must be hc_field_count(card) */
  const hc_column *fields;   /* [field_count] */
  const char *as_of;         /* "YYYY-MM-DD" or null (today, UTC) */
} hc_batch_in;

/* Caller-owned results, `rows` entries each. The five per-row arrays and `status` are
 * required. Encodings: segment index (hc_segment_count means `default`); score 0..100 or -1
 * when unscored; band index (hc_band_count means `unscored`); label and override index or -1.
 * A row whose status is not HC_ROW_OK has -1 in all five. Detail is optional: either all six
 * m_* arrays (each [measure * rows + row], hc_measure_count * rows entries) or none. */
typedef struct hc_batch_out {
  int32_t *segment;
  int32_t *score;
  int32_t *band;
  int32_t *label;
  int32_t *override_index;
  uint8_t *status;
  double *m_value;
  uint8_t *m_value_valid;
  double *m_score;
  uint8_t *m_score_valid;
  double *m_weight; /* effective weight in the account's model */
  uint8_t *m_weight_valid;
} hc_batch_out;

/* Scores every row. `values` must cover all `rows`, missing rows included: their values are read
 * by the quick check but never used (put 0 there, not NaN, for the fastest path). Keys are not
 * checked for uniqueness (the readers reject a repeated key; here each row stands alone). Returns
 * HC_OK (rows that could not be scored have their status set), HC_EINVAL for bad arguments
 * (nothing written), HC_ENOMEM, HC_EINTERNAL. */
HC_API int hc_score_columns(const hc_card *card, const hc_batch_in *in, const hc_batch_out *out);

/* ---- Filling columns from text, and the text `healthc score` prints (added in 0.1) ---- */

/* Reads `rows` text cells of field `field` as `healthc score` reads that field's CSV cells
 * (non-text cells trimmed of spaces and tabs; numbers, bools true/false/yes/no/1/0, dates
 * YYYY-MM-DD, enum members by their spellings; an empty cell is missing). Writes, per row,
 * values[r] (the hc_column encoding; 0 unless present; `values` may be null for a text field),
 * valid[r] (1 present, 0 missing) and status[r]: HC_ROW_OK, HC_ROW_MISSING_REQUIRED (a required
 * field's cell is empty) or HC_ROW_INVALID_VALUE (the cell is not of the field's type; its row
 * must not be scored: hc_cell_reason says why). HC_EINVAL for a bad argument (nothing written). */
HC_API int hc_parse_cells(const hc_card *card, size_t field, const hc_text *cells, size_t rows, double *values,
                          uint8_t *valid, uint8_t *status);
/* Why `healthc score` would reject a CSV row for this one cell of `field` (`len` bytes), in the
 * reader's words ("field `tier`: `gold` is not one of smb, mid_market, enterprise"; "required field
 * `tier` is empty"): HC_REJECTED with *reason set (free with hc_free), or HC_OK with *reason null
 * when the cell reads. HC_EINVAL for a bad argument. */
HC_API int hc_cell_reason(const hc_card *card, size_t field, const char *cell, size_t len, char **reason);
/* The `reasons` column of `healthc score` ("sentiment -10.3; support -10.0"; empty when no
 * measure costs points) for `rows` rows that hc_score_columns scored with detail into `out`
 * (status and the m_score/m_weight arrays are read). One line a row, each ended by '\n', an
 * empty line for a row whose status is not HC_ROW_OK; *text is the whole (free with hc_free),
 * *len its bytes. HC_EINVAL for a bad argument or `out` without detail. */
HC_API int hc_reasons_text(const hc_card *card, const hc_batch_out *out, size_t rows, char **text, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* HEALTHC_HEALTHC_H */

/* include/healthc/healthc.h on its own, as C11 under -pedantic: what a service's C code sees.
   Compiled by the embed_header_c11 test; nothing of compiler/ or runtime/ may be needed. */
#include <healthc/healthc.h>

int header_alone_uses_every_type(const hc_card *card, hc_options *opts);

int header_alone_uses_every_type(const hc_card *card, hc_options *opts) {
  hc_text text = {"acme", 4};
  hc_column column = {0, &text, 0};
  hc_batch_in in = {1, 1, &column, 0};
  hc_batch_out out = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  hc_engine engine = HC_ENGINE_EVALUATOR;
  hc_field_kind kind = HC_FIELD_TEXT;
  (void)kind;
  if (hc_options_set_engine(opts, engine) != HC_OK) return HC_EINVAL;
  return hc_score_columns(card, &in, &out);
}

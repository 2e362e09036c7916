/*
 * Plan rendering for people (src/cli/render_plan.c): the data comes from
 * the engine's tern_change and tern_summary (include/tern/engine.h); the
 * functions only write into a buffer, so tests build changes by hand.
 */
#ifndef TERN_CLI_RENDER_PLAN_H
#define TERN_CLI_RENDER_PLAN_H

#include "cli/cli.h"
#include "tern/engine.h"

/*
 * One change, Terraform style: the "# ADDR will be ..." header, the
 * resource line with its action symbol and the attribute diff. With
 * @drift, a change found outside tern ("has changed", "has been deleted").
 * @ui: colour when ui->color; may be NULL (no colour).
 */
void cli_render_change(tern_buf *out, const struct cli_ui *ui,
                       const tern_change *c, int drift);

/* "Plan: 1 to add, 0 to change, 0 to destroy." */
void cli_render_summary(tern_buf *out, const struct cli_ui *ui,
                        const tern_summary *s, int destroy);

/*
 * "Changes to Outputs:" between the outputs in the state (@prior, as
 * tern_state_outputs() gives them) and the plan's (tern_plan_outputs()).
 * Prints nothing when no output changes.
 */
void cli_render_output_changes(tern_buf *out, const struct cli_ui *ui,
                               const tern_value *planned, const json_t *prior);

/* The legend of symbols for the actions present (bit 1 << enum
 * tern_action). */
void cli_render_plan_legend(tern_buf *out, const struct cli_ui *ui,
                            unsigned int actions);

/* The value part of one diff line whose symbol is at column @col. */
void cli_render_value_diff(tern_buf *out, const tern_value *before,
                           const tern_value *after, int col);

#endif

/*
 * The "Objects have changed outside of tern" section of the plan for
 * people (src/cli/render_drift.c).
 */
#ifndef TERN_CLI_RENDER_DRIFT_H
#define TERN_CLI_RENDER_DRIFT_H

#include "cli/cli.h"
#include "tern/engine.h"

/*
 * Write the section into @out when the plan shows any drift, as Terraform's
 * jsonformat renderHumanDiffDrift does: a -refresh-only plan shows all of
 * it; any other plan nothing when it changes nothing (no resource change
 * but no-ops, no move, no output change), and otherwise only the changes
 * to the attributes the plan's changes refer to (the JSON plan's
 * relevant_attributes, from @cfg): a drifted object none of whose
 * relevant attributes changed is left out. @prior: the state's outputs
 * (tern_state_outputs()), may be NULL. The section ends with the
 * paragraph for the plan's mode ("Unless you have made equivalent
 * changes...", "This is a refresh-only plan..."), without the rule that
 * separates it from what follows. Returns 1 when the section was
 * written, 0 when not; out of memory sets out->oom.
 */
int cli_render_drift(tern_buf *out, const struct cli_ui *ui,
                     const tern_plan *plan, const struct tern_lang_config *cfg,
                     const json_t *prior);

/*
 * @before with every part the @paths (a JSON array of attribute paths,
 * each an array of keys and list indexes) do not reach replaced by
 * @after's, as Terraform's differ treats attributes that are not relevant
 * (structured.Change AsNoOp): an empty path keeps all below it. Either
 * value may be NULL (absent). New reference (NULL for absent); *@oom set
 * when out of memory.
 */
tern_value *cli_drift_mask(const tern_value *before, const tern_value *after,
                           const json_t *paths, int *oom);

#endif

/*
 * ui_int.h: what ui.c, ui_msg.c and ui_lang.c share (oidc/ui.h).
 */
#ifndef OIDC_UI_INT_H
#define OIDC_UI_INT_H

#include <stddef.h>

#include "oidc/ui.h"

#define UI_NKEYS	OIDC_UI_NKEYS

/* The index of a catalogue key (len bytes), or -1. */
int		ui_key_index(const char *key, size_t len);
/* Fill texts[UI_NKEYS] with a built-in language: 1, or 0 if none. */
int		ui_builtin(const char *tag, const char **texts);
const char	*ui_english(size_t);

#endif /* OIDC_UI_INT_H */

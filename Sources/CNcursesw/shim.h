#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H
/* SwiftPM drops pkg-config's "-D_XOPEN_SOURCE=600", so enable the wide-character half of curses.h here. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <stdio.h>
#include <ncursesw/curses.h>

/* C globals as functions: Swift 6 rejects shared mutable globals. */
static inline WINDOW *nc_stdscr(void) { return stdscr; }
static inline WINDOW *nc_curscr(void) { return curscr; }
static inline int nc_lines(void) { return LINES; }
static inline int nc_cols(void) { return COLS; }
static inline int nc_colors(void) { return COLORS; }

/* Attribute macros Swift does not import. */
static inline attr_t nc_a_normal(void)    { return A_NORMAL; }
static inline attr_t nc_a_bold(void)      { return A_BOLD; }
static inline attr_t nc_a_dim(void)       { return A_DIM; }
static inline attr_t nc_a_reverse(void)   { return A_REVERSE; }
static inline attr_t nc_a_underline(void) { return A_UNDERLINE; }

/* The locale's codeset ("UTF-8" when wide glyphs can be drawn). */
static inline const char *nc_codeset(void) { return nl_langinfo(CODESET); }

/* One styled cell. */
static inline int nc_setcell(cchar_t *cell, const wchar_t *wch, attr_t attr, short pair) {
    return setcchar(cell, wch, attr, pair, NULL);
}
#endif

#ifndef KIOSK_CPANGOCAIRO_SHIM_H
#define KIOSK_CPANGOCAIRO_SHIM_H
#include <pango/pangocairo.h>
#include <cairo/cairo-pdf.h>

/* PANGO_SCALE is a macro; Swift sees no constant for it. */
static inline int kiosk_pango_scale(void) { return PANGO_SCALE; }
#endif

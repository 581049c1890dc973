/* kiln-production-lockdown-private.h — operator mode for the production
 * station: what an operator must not change is hidden or disabled (the
 * station's own controls, the application's settings and other windows)
 * until the engineer's password or key is given
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct _KilnProductionLockdown KilnProductionLockdown;

/* For @station (not referenced: the lockdown is freed with it). */
KilnProductionLockdown *kiln_production_lockdown_new     (GtkWindow              *station);
/* Leaves operator mode (what it hid comes back) and frees @self. */
void                    kiln_production_lockdown_free    (KilnProductionLockdown *self);
/* @widget is hidden in operator mode. */
void                    kiln_production_lockdown_hide    (KilnProductionLockdown *self,
                                                          GtkWidget              *widget);
/* @widget is shown in operator mode only (what leaves it). */
void                    kiln_production_lockdown_show    (KilnProductionLockdown *self,
                                                          GtkWidget              *widget);
/* The station's action @name ("win.open-profile") is disabled in operator mode. */
void                    kiln_production_lockdown_disable (KilnProductionLockdown *self,
                                                          const char             *name);
/* Enters operator mode; @engineer_password: the hash that leaves it. */
void                    kiln_production_lockdown_enter   (KilnProductionLockdown *self,
                                                          const char             *engineer_password);
/* Asks for the engineer's password or key and leaves operator mode once it is
 * right (a wrong one is said so and asked again). */
void                    kiln_production_lockdown_ask     (KilnProductionLockdown *self);
gboolean                kiln_production_lockdown_is_on   (KilnProductionLockdown *self);

G_END_DECLS

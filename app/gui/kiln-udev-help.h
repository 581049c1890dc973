/* kiln-udev-help.h — USB access: what the udev rules are for, and
 * installing them through pkexec when the user agrees
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The path of the rules file Kiln installs. */
#define KILN_UDEV_RULES_TARGET "/etc/udev/rules.d/60-kiln-stlink.rules"

/* Explains why a normal user may not open an ST-LINK and offers to
 * install Kiln's udev rules. With pkexec on PATH, "Install Rules" runs it
 * (asynchronously; polkit asks for an administrator's password) to copy
 * the rules, reload udev and replay the events of ST's USB devices, then
 * says whether it worked; without pkexec, or when it fails or the user
 * dismisses the password prompt, the dialog shows the commands to run. */
void kiln_udev_help_present (GtkWindow *parent);

G_END_DECLS

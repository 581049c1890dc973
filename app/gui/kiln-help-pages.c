/* kiln-help-pages.c — the offline help's task pages, as data
 *
 * Written for this program: each page answers one task a user comes with,
 * in the words the window uses. Every sentence is a translatable string,
 * so the help speaks the window's language and needs no network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kiln-help-pages.h"

static const KilnHelpBlock program_blocks[] = {
  { KILN_HELP_PARAGRAPH, N_("Kiln writes a firmware file into the flash of an STM32 through an ST-LINK probe, checks what it wrote, and starts the new firmware.") },
  { KILN_HELP_HEADING, N_("Before you start") },
  { KILN_HELP_STEP, N_("Plug the ST-LINK into this computer and connect it to the board’s SWD pins (SWDIO, SWCLK, GND, and NRST if the board has it).") },
  { KILN_HELP_STEP, N_("Power the board. The target panel shows the supply voltage the probe measures: programming needs at least 1.8 V, and full speed needs 2.7 V or more.") },
  { KILN_HELP_STEP, N_("Choose the probe in the probe menu if more than one is plugged in. Kiln finds the chip by itself and shows it in the target panel.") },
  { KILN_HELP_HEADING, N_("Program") },
  { KILN_HELP_STEP, N_("Open the firmware file (Ctrl+O) or drop it on the window: ELF, Intel HEX, S-record, or a raw binary at the address you give.") },
  { KILN_HELP_STEP, N_("Look at the memory map and the plan above it: each sector says whether it will be erased and written, is already blank, holds the right bytes already, or is left untouched. Nothing has been changed yet.") },
  { KILN_HELP_STEP, N_("Press Program (Ctrl+P). One bar shows the whole job; Cancel (Escape) stops between blocks and leaves the flash controller locked.") },
  { KILN_HELP_STEP, N_("When the job ends, the result says what was erased, written and verified, and how long it took. The firmware then runs.") },
  { KILN_HELP_HEADING, N_("Reflashing all day") },
  { KILN_HELP_PARAGRAPH, N_("Kiln reloads the file by itself when your build writes it again. Program then rewrites only the sectors whose bytes changed and skips sectors that are already blank, so a small change takes a fraction of a second.") },
  { KILN_HELP_HEADING, N_("When something fails") },
  { KILN_HELP_PARAGRAPH, N_("A failure names what happened and what to do, with the next step as a button: Option Bytes… for a write-protected sector or read protection, USB Access Help when the probe cannot be opened, Connect Under Reset when the firmware turned SWD off, Retry once the cause is fixed. If the probe was unplugged in the middle of a job, the map keeps the sectors left half-written marked, and the board will not start until you program it again.") },
  { KILN_HELP_HEADING, N_("Verify, Read and Erase") },
  { KILN_HELP_PARAGRAPH, N_("Verify compares the chip with the file without writing. Read… saves any address range of the flash to a file. Erase… asks first and lists the sectors it would erase.") },
  { KILN_HELP_PARAGRAPH, N_("The same work from a terminal:") },
  { KILN_HELP_COMMAND, "kiln-cli flash firmware.elf" },
  { KILN_HELP_COMMAND, "kiln-cli verify firmware.elf" },
  { KILN_HELP_COMMAND, "kiln-cli read 0x08000000 0x10000 dump.bin" },
  { KILN_HELP_END, NULL },
};

static const KilnHelpBlock read_protection_blocks[] = {
  { KILN_HELP_PARAGRAPH, N_("Read protection (RDP) keeps a debugger from reading the firmware out of the chip. It is an option byte with three levels, and each level changes what Kiln can do.") },
  { KILN_HELP_HEADING, N_("Level 0: no protection") },
  { KILN_HELP_PARAGRAPH, N_("The debugger can read, erase and program the flash. Boards arrive this way from the factory.") },
  { KILN_HELP_HEADING, N_("Level 1: the flash cannot be read by a debugger") },
  { KILN_HELP_PARAGRAPH, N_("The firmware still runs, but while a debugger is connected the flash can be neither read, erased nor programmed. Kiln refuses to program such a chip before it touches anything and offers Option Bytes….") },
  { KILN_HELP_PARAGRAPH, N_("Going back from level 1 to level 0 is allowed, but the chip erases its whole flash (and the backup memory) as it does so. Kiln says this before it writes the option byte.") },
  { KILN_HELP_HEADING, N_("Level 2: permanent") },
  { KILN_HELP_PARAGRAPH, N_("The debug port is switched off for good and the option bytes can never be changed again: no tool can program, read or erase the chip afterwards, and nothing can undo it. Kiln asks twice, the second time explicitly, before it sets level 2.") },
  { KILN_HELP_HEADING, N_("Write protection is different") },
  { KILN_HELP_PARAGRAPH, N_("Write protection (nWRP) is per sector: a protected sector can be read but not erased or programmed. Kiln marks protected sectors on the map and refuses a plan that needs one, before anything is erased. Remove the protection in Option Bytes… (the data stays), or choose a file that leaves those sectors alone.") },
  { KILN_HELP_PARAGRAPH, N_("From a terminal:") },
  { KILN_HELP_COMMAND, "kiln-cli option-bytes show" },
  { KILN_HELP_COMMAND, "kiln-cli option-bytes set rdp=0 --confirm" },
  { KILN_HELP_END, NULL },
};

static const KilnHelpBlock production_blocks[] = {
  { KILN_HELP_PARAGRAPH, N_("The production station runs one prepared profile board after board: the operator puts a board in, presses Space, and sees PASS or FAIL. Every board is recorded.") },
  { KILN_HELP_HEADING, N_("The engineer prepares a profile") },
  { KILN_HELP_STEP, N_("Write a profile: the firmware, the chip every board must carry, verification, the option bytes a board must arrive with and those to set after programming, and where serial numbers come from.") },
  { KILN_HELP_COMMAND, "kiln-cli profile new widget.kiln-profile --firmware widget.elf" },
  { KILN_HELP_STEP, N_("Make a key pair once and sign the profile. The signature covers every setting and the firmware’s SHA-256, so any change after signing is refused and nothing is programmed.") },
  { KILN_HELP_COMMAND, "kiln-cli profile keygen eng" },
  { KILN_HELP_COMMAND, "kiln-cli profile sign widget.kiln-profile --secret-key eng.key" },
  { KILN_HELP_STEP, N_("Copy the public key (eng.pub) into each station’s trusted keys folder, ~/.config/kiln/trusted-keys/. Keep the secret key away from the line.") },
  { KILN_HELP_HEADING, N_("The station") },
  { KILN_HELP_STEP, N_("Open Production Station from the menu and open the signed profile. Each plugged-in probe is one slot.") },
  { KILN_HELP_STEP, N_("When a slot says READY, put a board in and press Space or Enter: it is programmed, verified and given its serial number.") },
  { KILN_HELP_STEP, N_("On FAIL, the screen says first what the operator should do, then the cause for the engineer. The board can be tried again or set aside.") },
  { KILN_HELP_HEADING, N_("Several stations on one line") },
  { KILN_HELP_PARAGRAPH, N_("Stations that share a PostgreSQL database get serial numbers that are never given twice anywhere on the line, and one record quality can query. Give each station the database’s connection:") },
  { KILN_HELP_COMMAND, "kiln-cli production widget.kiln-profile --line \"host=db dbname=line user=st1\"" },
  { KILN_HELP_HEADING, N_("The record") },
  { KILN_HELP_PARAGRAPH, N_("Each board’s entry carries the hash of the one before it, so a deleted or edited entry is found. Export the record for a shift, or check it:") },
  { KILN_HELP_COMMAND, "kiln-cli log export line3.db --csv shift.csv" },
  { KILN_HELP_COMMAND, "kiln-cli log verify line3.db" },
  { KILN_HELP_END, NULL },
};

static const KilnHelpBlock usb_blocks[] = {
  { KILN_HELP_PARAGRAPH, N_("On Linux, a normal user may open an ST-LINK only once a udev rule gives the user at the computer’s seat access to it. Without the rule the probe is plugged in but Kiln cannot open it, and says so in the probe menu.") },
  { KILN_HELP_HEADING, N_("Install the rules from Kiln") },
  { KILN_HELP_STEP, N_("Press USB Access Help (beside the probe menu, or in the message that the probe cannot be opened), then Install Rules.") },
  { KILN_HELP_STEP, N_("Enter an administrator’s password when the system asks. Kiln copies its rules to /etc/udev/rules.d and tells udev to reload them.") },
  { KILN_HELP_STEP, N_("Unplug the probe and plug it in again. It now appears in the probe menu.") },
  { KILN_HELP_HEADING, N_("Install the rules by hand") },
  { KILN_HELP_PARAGRAPH, N_("The rules file comes with Kiln: in the data folder of the source, or in /usr/lib/udev/rules.d when Kiln was installed as a package (then nothing needs installing).") },
  { KILN_HELP_COMMAND, "sudo install -m 644 data/60-kiln-stlink.rules /etc/udev/rules.d/" },
  { KILN_HELP_COMMAND, "sudo udevadm control --reload-rules && sudo udevadm trigger" },
  { KILN_HELP_HEADING, N_("Still not listed?") },
  { KILN_HELP_PARAGRAPH, N_("Try another USB cable (some carry only power) and another port. A probe that another program holds open (a debugger session, OpenOCD) cannot be opened until that program lets it go.") },
  { KILN_HELP_END, NULL },
};

static const KilnHelpBlock simulator_blocks[] = {
  { KILN_HELP_PARAGRAPH, N_("Kiln carries a simulated bench: an ST-LINK in front of an STM32 board whose core really runs code. It behaves like hardware, timings included, so you can learn Kiln, train operators or try a profile without a board.") },
  { KILN_HELP_STEP, N_("Start Kiln with the simulator: choose Simulated Board in the probe menu, or start it from a terminal:") },
  { KILN_HELP_COMMAND, "kiln --simulator" },
  { KILN_HELP_STEP, N_("Everything works as on a real board: open a file, program, verify, read, set option bytes, run the production station.") },
  { KILN_HELP_PARAGRAPH, N_("The simulated board keeps nothing between runs unless a bench file says where its state lives. A bench file also chooses the probe, its firmware and the chip, and can inject faults (an unplugged probe, a board without power):") },
  { KILN_HELP_COMMAND, "KILN_SIM=bench.ini kiln" },
  { KILN_HELP_END, NULL },
};

static const KilnHelpPage pages[] = {
  { "program", N_("Program a Board"), N_("Write a firmware file, verify it, reflash quickly"), program_blocks },
  { "read-protection", N_("Read Protection Explained"), N_("RDP levels 0, 1 and 2, and write protection"), read_protection_blocks },
  { "production", N_("Set Up a Production Line"), N_("Profiles, signatures, stations and the record"), production_blocks },
  { "usb", N_("Fix USB Access"), N_("When the probe is plugged in but not listed"), usb_blocks },
  { "simulator", N_("Practise on the Simulated Board"), N_("Kiln without hardware"), simulator_blocks },
  { NULL, NULL, NULL, NULL },
};

const KilnHelpPage *
kiln_help_pages (void)
{
  return pages;
}

const KilnHelpPage *
kiln_help_page_lookup (const char *id)
{
  for (guint i = 0; pages[i].id != NULL; i++)
    if (g_strcmp0 (pages[i].id, id) == 0)
      return &pages[i];
  return NULL;
}

/* test-usb-monitor.c — KilnUsbMonitor sees probes arrive and leave
 *
 * Without arguments: the bench in process, its probes unplugged and plugged
 * in again through the bench's API and by the usb-disconnect fault.
 * With --dropin (run with LD_LIBRARY_PATH at the drop-in libusb-1.0.so.0):
 * the same probes seen through libusb, once by its hotplug events and once
 * by polling; the test pulls them through the drop-in's
 * kiln_sim_dropin_set_plugged(), which real libusb does not have.
 *
 * Every signal must arrive on the main context the monitor was made in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <dlfcn.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "kiln-stlink.h"
#include "kiln-usb-monitor.h"

static gboolean via_dropin;
static char *tmp_dir;
static GThread *main_thread;

static const char bench_text[] =
  "[probe 1]\nserial=KILNHOT1\n[board 1]\n"
  "[probe 2]\nmodel=stlink-v3\nserial=KILNHOT2\n[board 2]\n"
  "[probe 3]\nmodel=stlink-v2-1\nserial=KILNHOT3\n[board 3]\n"
  "[faults]\nusb-disconnect-after-ms=200\n";

typedef struct
{
  GMainContext   *context;
  KilnSimBench   *bench;     /* in process */
  KilnUsbMonitor *monitor;
  GPtrArray      *events;    /* "+SERIAL" / "-SERIAL" */
  guint           items;     /* items-changed bookkeeping */
} Fixture;

static void
on_added (KilnUsbMonitor   *monitor,
          KilnUsbProbeInfo *info,
          Fixture          *f)
{
  g_assert_true (g_thread_self () == main_thread);
  g_assert_true (g_main_context_is_owner (f->context));
  g_ptr_array_add (f->events, g_strconcat ("+", kiln_usb_probe_info_get_serial (info), NULL));
}

static void
on_removed (KilnUsbMonitor   *monitor,
            KilnUsbProbeInfo *info,
            Fixture          *f)
{
  g_assert_true (g_thread_self () == main_thread);
  g_assert_true (g_main_context_is_owner (f->context));
  g_ptr_array_add (f->events, g_strconcat ("-", kiln_usb_probe_info_get_serial (info), NULL));
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *f)
{
  f->items = f->items - removed + added;
  g_assert_cmpuint (f->items, ==, g_list_model_get_n_items (model));
}

/* Iterates the monitor's context until @event (e.g. "-KILNHOT1") came. */
static void
wait_for (Fixture    *f,
          const char *event)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  for (;;)
    {
      for (guint i = 0; i < f->events->len; i++)
        if (g_strcmp0 (g_ptr_array_index (f->events, i), event) == 0)
          {
            g_ptr_array_remove_index (f->events, i);
            return;
          }
      if (g_get_monotonic_time () > deadline)
        g_error ("no %s from the monitor within 10 s", event);
      g_main_context_iteration (f->context, FALSE);
      g_usleep (2000);
    }
}

static void
set_plugged (Fixture    *f,
             const char *serial,
             gboolean    plugged)
{
  if (via_dropin)
    {
      int (*fn) (const char *, int) = (int (*) (const char *, int)) dlsym (RTLD_DEFAULT, "kiln_sim_dropin_set_plugged");

      g_assert_nonnull (fn);
      g_assert_cmpint (fn (serial, plugged), ==, 0);
    }
  else
    {
      for (guint i = 0; i < kiln_sim_bench_get_n_probes (f->bench); i++)
        {
          KilnSimProbe *probe = kiln_sim_bench_get_probe (f->bench, i);

          if (g_strcmp0 (kiln_sim_probe_get_serial (probe), serial) != 0)
            continue;
          if (plugged)
            kiln_sim_probe_plug (probe);
          else
            kiln_sim_probe_unplug (probe);
        }
    }
}

static gboolean
listed (Fixture    *f,
        const char *serial)
{
  KilnUsbProbeInfo *info = kiln_usb_monitor_find (f->monitor, serial);

  if (info == NULL)
    return FALSE;
  g_assert_cmpint (kiln_usb_probe_info_get_backend (info), ==,
                   via_dropin ? KILN_USB_BACKEND_LIBUSB : KILN_USB_BACKEND_SIMULATOR);
  return TRUE;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  gboolean use_hotplug = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;

  f->context = g_main_context_new ();
  g_main_context_push_thread_default (f->context);
  if (!via_dropin)
    {
      f->bench = kiln_sim_bench_new_from_data (bench_text, tmp_dir, &error);
      g_assert_no_error (error);
    }
  f->events = g_ptr_array_new_with_free_func (g_free);
  f->monitor = kiln_usb_monitor_new_full (f->bench, use_hotplug, 20);
  g_main_context_pop_thread_default (f->context);

  f->items = g_list_model_get_n_items (G_LIST_MODEL (f->monitor));
  g_signal_connect (f->monitor, "probe-added", G_CALLBACK (on_added), f);
  g_signal_connect (f->monitor, "probe-removed", G_CALLBACK (on_removed), f);
  g_signal_connect (f->monitor, "items-changed", G_CALLBACK (on_items_changed), f);

  /* libusb's hotplug where it was asked for (the drop-in has it); the
   * bench in process is polled whatever libusb does. */
  if (via_dropin)
    g_assert_cmpint (kiln_usb_monitor_get_uses_hotplug (f->monitor), ==, use_hotplug);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->monitor);
  g_clear_object (&f->bench);
  g_ptr_array_unref (f->events);
  while (g_main_context_iteration (f->context, FALSE))
    ;
  g_main_context_unref (f->context);
}

static void
test_unplug_replug (Fixture       *f,
                    gconstpointer  data)
{
  g_assert_true (listed (f, "KILNHOT1"));
  g_assert_true (listed (f, "KILNHOT2"));
  g_assert_true (listed (f, "KILNHOT3"));

  set_plugged (f, "KILNHOT1", FALSE);
  wait_for (f, "-KILNHOT1");
  g_assert_false (listed (f, "KILNHOT1"));
  g_assert_true (listed (f, "KILNHOT2"));

  set_plugged (f, "KILNHOT1", TRUE);
  wait_for (f, "+KILNHOT1");
  g_assert_true (listed (f, "KILNHOT1"));

  /* Out and in again faster than the monitor looks: still seen as a new
   * attachment (the host gave the probe a new address). */
  set_plugged (f, "KILNHOT3", FALSE);
  set_plugged (f, "KILNHOT3", TRUE);
  wait_for (f, "-KILNHOT3");
  wait_for (f, "+KILNHOT3");
  g_assert_true (listed (f, "KILNHOT3"));
  g_assert_cmpuint (f->events->len, ==, 0);
}

static void
count_removed (KilnUsbMonitor   *monitor,
               KilnUsbProbeInfo *info,
               guint            *removed)
{
  g_assert_true (g_thread_self () == main_thread);
  (*removed)++;
}

/* A change waits for the monitor's context, here the global default one as
 * in the app: while nobody iterates it, the list and the signals stay as
 * they were. The worker, whose thread-default context that also is, used
 * to take it when it was free (g_main_context_invoke) and emit the signals
 * on its own thread, where the monitor's last reference could be dropped
 * and its dispose joined that very thread. */
static void
test_waits_for_context (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(KilnUsbMonitor) monitor = kiln_usb_monitor_new_full (f->bench, TRUE, 20);
  gint64 deadline;
  guint removed = 0;

  g_signal_connect (monitor, "probe-removed", G_CALLBACK (count_removed), &removed);
  g_assert_nonnull (kiln_usb_monitor_find (monitor, "KILNHOT1"));
  set_plugged (f, "KILNHOT1", FALSE);
  /* Fifteen of the monitor's 20 ms looks with the context left alone. */
  g_usleep (300 * 1000);
  g_assert_cmpuint (removed, ==, 0);
  g_assert_nonnull (kiln_usb_monitor_find (monitor, "KILNHOT1"));
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (removed == 0 && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_assert_cmpuint (removed, ==, 1);
  g_assert_null (kiln_usb_monitor_find (monitor, "KILNHOT1"));
}

/* The usb-disconnect fault: the probe vanishes in the middle of work; the
 * monitor reports it, and once it is plugged in again it works. */
static void
test_disconnect_fault (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnUsbDevice) device = NULL;
  g_autoptr(KilnStlink) stlink = NULL;
  g_autoptr(KilnUsbProbeInfo) before = NULL;
  KilnUsbProbeInfo *info = kiln_usb_monitor_find (f->monitor, "KILNHOT2");
  guint32 v = 0;
  guint i;

  g_assert_nonnull (info);
  before = g_object_ref (info);
  device = kiln_usb_probe_info_open (info, &error);
  g_assert_no_error (error);
  stlink = kiln_stlink_open (device, &error);
  g_assert_no_error (error);
  g_assert_true (kiln_stlink_connect (stlink, 4000, FALSE, &error));
  g_assert_no_error (error);
  for (i = 0; i < 100000 && kiln_stlink_read32 (stlink, 0xE0042000, &v, &error); i++)
    ;
  g_assert_error (error, KILN_USB_ERROR, KILN_USB_ERROR_UNPLUGGED);
  g_clear_object (&stlink);
  g_clear_object (&device);
  wait_for (f, "-KILNHOT2");

  set_plugged (f, "KILNHOT2", TRUE);
  wait_for (f, "+KILNHOT2");
  g_clear_error (&error);

  /* What was listed before belongs to the old attachment. */
  g_assert_null (kiln_usb_probe_info_open (before, &error));
  g_assert_error (error, KILN_USB_ERROR, KILN_USB_ERROR_UNPLUGGED);
  g_clear_error (&error);
  info = kiln_usb_monitor_find (f->monitor, "KILNHOT2");
  g_assert_nonnull (info);
  device = kiln_usb_probe_info_open (info, &error);
  g_assert_no_error (error);
  stlink = kiln_stlink_open (device, &error);
  g_assert_no_error (error);
  g_assert_true (kiln_stlink_connect (stlink, 4000, FALSE, &error));
  g_assert_true (kiln_stlink_read32 (stlink, 0xE0042000, &v, &error));
  g_assert_no_error (error);
  g_assert_cmphex (v & 0xFFF, ==, 0x449);
  kiln_stlink_close (stlink);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ini = NULL;
  int status;

  setlocale (LC_ALL, "");
  for (int i = 1; i < argc; i++)
    if (g_strcmp0 (argv[i], "--dropin") == 0)
      via_dropin = TRUE;
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

  tmp_dir = g_dir_make_tmp ("kiln-usb-monitor-XXXXXX", &error);
  g_assert_no_error (error);
  ini = g_build_filename (tmp_dir, "bench.ini", NULL);
  if (via_dropin)
    {
      /* The drop-in builds its bench from KILN_SIM when libusb starts; the
       * fault's clock runs for the whole process, so it comes last. */
      g_assert_true (g_file_set_contents (ini, bench_text, -1, &error));
      g_assert_no_error (error);
      g_setenv ("KILN_SIM", ini, TRUE);
      g_test_add ("/Kiln/Usb/monitor/dropin/polling/unplug-replug", Fixture, GINT_TO_POINTER (FALSE),
                  fixture_set_up, test_unplug_replug, fixture_tear_down);
      g_test_add ("/Kiln/Usb/monitor/dropin/hotplug/unplug-replug", Fixture, GINT_TO_POINTER (TRUE),
                  fixture_set_up, test_unplug_replug, fixture_tear_down);
      g_test_add ("/Kiln/Usb/monitor/dropin/hotplug/disconnect-fault", Fixture, GINT_TO_POINTER (TRUE),
                  fixture_set_up, test_disconnect_fault, fixture_tear_down);
    }
  else
    {
      g_unsetenv ("KILN_SIM");
      g_test_add ("/Kiln/Usb/monitor/bench/unplug-replug", Fixture, GINT_TO_POINTER (TRUE),
                  fixture_set_up, test_unplug_replug, fixture_tear_down);
      g_test_add ("/Kiln/Usb/monitor/bench/disconnect-fault", Fixture, GINT_TO_POINTER (TRUE),
                  fixture_set_up, test_disconnect_fault, fixture_tear_down);
      g_test_add ("/Kiln/Usb/monitor/bench/waits-for-context", Fixture, GINT_TO_POINTER (TRUE),
                  fixture_set_up, test_waits_for_context, fixture_tear_down);
    }

  status = g_test_run ();
  g_unlink (ini);
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}

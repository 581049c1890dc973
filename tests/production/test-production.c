/* test-production.c — the production station on the virtual bench: a locked
 * profile with a pinned file, serial numbers, the record and its export,
 * board sequences, a write-protected board (the station's other boards are
 * in test-production-boards.c)
 *
 * Every flash.bin is checked byte for byte against what the board should
 * hold, independently of the engine's own read-back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>

#include "kiln-test-station.h"

static void
test_pinned_file (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(KilnProductionProfile) profile = load_profile (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnImage) image = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(KilnUsbProbeInfo) info = NULL;
  g_autoptr(KilnSession) session = NULL;
  g_autoptr(KilnProductionRecord) record = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *state = g_build_filename (f->dir, "board", NULL);
  g_autofree char *bench_text = g_strdup_printf ("[probe]\n[board]\nstate = %s\n", state);
  const KilnProductionEntry *entry;

  /* The pinned file loads. */
  image = kiln_production_profile_load_image (profile, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kiln_image_get_total_size (image), ==, FIRMWARE_SIZE);
  g_clear_object (&image);

  /* A locked profile refuses changes until it is deliberately unlocked. */
  g_assert_false (kiln_production_profile_set_chip (profile, "STM32F767ZI", &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_LOCKED);
  g_clear_error (&error);

  /* One byte changed in the file: refused, not used. */
  f->firmware_data[100] ^= 0x01;
  g_assert_true (g_file_set_contents (f->firmware, (char *) f->firmware_data, FIRMWARE_SIZE, &error));
  image = kiln_production_profile_load_image (profile, &error);
  g_assert_null (image);
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_FILE_CHANGED);
  g_assert_nonnull (strstr (error->message, "widget.bin has changed since the profile was signed"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* On the line: FAIL in the record with that cause, and the board untouched. */
  bench = make_bench (f, bench_text);
  info = probe_info (bench, 0);
  session = kiln_session_new ("probe");
  record = kiln_production_record_open (f->db_path, &error);
  g_assert_no_error (error);
  g_assert_false (run_board (session, profile, record, NULL, info, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_FILE_CHANGED);
  g_clear_error (&error);
  entries = kiln_production_record_list (record, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  g_assert_false (entry->pass);
  g_assert_nonnull (strstr (entry->cause, "has changed"));
  g_assert_null (entry->serial_number);
  g_assert_true (kiln_sim_bench_save (bench, &error));
  g_assert_no_error (error);
  {
    g_autofree char *path = g_build_filename (state, "flash.bin", NULL);
    g_autofree char *contents = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
    for (gsize i = 0; i < length; i++)
      g_assert_cmphex ((guint8) contents[i], ==, 0xFF);
  }

  /* Unlocked on purpose, the engineer can change it again. */
  kiln_production_profile_unlock (profile);
  g_assert_true (kiln_production_profile_set_chip (profile, "STM32F767ZI", &error));
  g_assert_no_error (error);
}

static void
test_profile_refusals (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(KilnProductionProfile) profile = kiln_production_profile_new ();
  g_autoptr(KilnProductionProfile) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "bad.kiln-profile", NULL);
  KilnSerialSettings serial = { 0 };

  /* A serial number inside the firmware is refused when locking. */
  g_assert_true (kiln_production_profile_set_firmware (profile, f->firmware, TRUE, 0x08000000, &error));
  g_assert_true (kiln_production_profile_set_chip (profile, "STM32F746NG", &error));
  serial.source = KILN_SERIAL_SOURCE_COUNTER;
  serial.address = 0x08000100;
  serial.format = (char *) "SN-%06u";
  g_assert_true (kiln_production_profile_set_serial (profile, &serial, &error));
  g_assert_false (kiln_production_profile_lock (profile, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE);
  g_assert_nonnull (strstr (error->message, "would overwrite"));
  g_clear_error (&error);
  g_assert_false (kiln_production_profile_is_locked (profile));

  /* Bad formats. */
  serial.address = SERIAL_ADDRESS;
  serial.format = (char *) "SN-%s";
  g_assert_false (kiln_production_profile_set_serial (profile, &serial, &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_PROFILE);
  g_clear_error (&error);
  serial.format = (char *) "%u-%u";
  g_assert_false (kiln_production_profile_set_serial (profile, &serial, &error));
  g_clear_error (&error);

  /* An unknown chip cannot be locked. */
  serial.format = (char *) "SN-%06u";
  g_assert_true (kiln_production_profile_set_serial (profile, &serial, &error));
  g_assert_true (kiln_production_profile_set_chip (profile, "STM32F999", &error));
  g_assert_false (kiln_production_profile_lock (profile, &error));
  g_clear_error (&error);

  /* Saved unlocked and loaded back: still unlocked, the same settings. */
  g_assert_true (kiln_production_profile_set_chip (profile, "STM32F74x/F75x", &error));
  g_assert_true (kiln_production_profile_save (profile, path, &error));
  loaded = kiln_production_profile_load (path, &error);
  g_assert_no_error (error);
  g_assert_false (kiln_production_profile_is_locked (loaded));
  g_assert_cmpstr (kiln_production_profile_get_serial (loaded)->format, ==, "SN-%06u");
  g_assert_cmphex (kiln_production_profile_get_serial (loaded)->address, ==, SERIAL_ADDRESS);
  g_assert_true (kiln_production_profile_lock (loaded, &error));
  g_assert_no_error (error);
}

static void
test_sequence (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(KilnProductionProfile) profile = load_profile (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(KilnUsbProbeInfo) info = NULL;
  g_autoptr(KilnSession) session = kiln_session_new ("probe");
  g_autoptr(KilnProductionRecord) record = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) uids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *boards = g_build_filename (f->dir, "boards", NULL);
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nsequence = 20\nstate = %s\n"
                                           "remove-after = 100\narrive-after = 150\n", boards);
  const guint n = 20;

  bench = make_bench (f, text);
  g_assert_cmpuint (kiln_sim_bench_get_sequence_length (bench, 0), ==, n);
  info = probe_info (bench, 0);
  record = kiln_production_record_open (f->db_path, &error);
  g_assert_no_error (error);

  for (guint i = 1; i <= n; i++)
    {
      g_assert_cmpuint (kiln_sim_bench_get_board_number (bench, 0), ==, i);
      g_assert_true (run_board (session, profile, record, NULL, info, &error));
      g_assert_no_error (error);
      if (i < n)
        {
          g_autofree char *uid = last_board_uid (record);

          g_assert_true (wait_for_board (session, info, TRUE, uid, NULL, &error));
          g_assert_no_error (error);
        }
    }
  /* The sequence is over: the last board is taken away, none comes. */
  {
    g_autofree char *uid = last_board_uid (record);

    g_assert_false (wait_for_board_within (session, info, TRUE, uid, 1, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_assert_cmpuint (kiln_sim_bench_get_board_number (bench, 0), ==, 0);
  }
  g_assert_true (kiln_sim_bench_save (bench, &error));

  entries = kiln_production_record_list (record, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      const KilnProductionEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *expected = g_strdup_printf ("SN-%06u", i + 1);
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      g_autofree char *state = g_build_filename (boards, number, NULL);

      g_assert_true (e->pass);
      g_assert_null (e->cause);
      g_assert_cmpstr (e->serial_number, ==, expected);
      g_assert_cmpuint (strlen (e->chip_uid), ==, 24);
      g_assert_false (g_hash_table_contains (uids, e->chip_uid));
      g_hash_table_add (uids, e->chip_uid);
      g_assert_cmpstr (e->chip, ==, "STM32F74x/F75x");
      g_assert_cmpstr (e->station, ==, "test-station");
      g_assert_cmpstr (e->file_name, ==, "widget.bin");
      g_assert_cmpstr (e->file_sha256, ==, kiln_production_profile_get_sha256 (profile));
      g_assert_cmpstr (e->option_bytes, !=, NULL);
      g_assert_true (g_str_has_prefix (e->option_bytes, "rdp=0 wrp=none optcr=0x"));
      g_assert_cmpfloat (e->phase_seconds[KILN_FLASH_PHASE_PROGRAM], >, 0);
      g_assert_cmpfloat (e->total_seconds, >, 0);
      assert_board_flash (f, state, expected);
    }
}

static void
test_write_protected_board (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(KilnProductionProfile) profile = load_profile (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnSimBench) bench = NULL;
  g_autoptr(KilnUsbProbeInfo) info = NULL;
  g_autoptr(KilnSession) session = kiln_session_new ("probe");
  g_autoptr(KilnProductionRecord) record = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *boards = g_build_filename (f->dir, "boards", NULL);
  g_autofree char *text = g_strdup_printf ("[probe]\n[board]\nsequence = 5\nstate = %s\n"
                                           "remove-after = 100\narrive-after = 150\n[board.3]\nnwrp = 0xFE\n", boards);

  bench = make_bench (f, text);
  info = probe_info (bench, 0);
  record = kiln_production_record_open (f->db_path, &error);
  g_assert_no_error (error);

  for (guint i = 1; i <= 5; i++)
    {
      gboolean pass = run_board (session, profile, record, NULL, info, &error);

      if (i == 3)
        {
          g_assert_false (pass);
          g_assert_error (error, KILN_FLASH_ERROR, KILN_FLASH_ERROR_PROTECTED);
          g_clear_error (&error);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_true (pass);
        }
      if (i < 5)
        {
          g_autofree char *uid = last_board_uid (record);

          g_assert_true (wait_for_board (session, info, TRUE, uid, NULL, NULL));
        }
    }
  g_assert_true (kiln_sim_bench_save (bench, &error));

  entries = kiln_production_record_list (record, &error);
  g_assert_cmpuint (entries->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      const KilnProductionEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *expected = g_strdup_printf ("SN-%06u", i + 1);
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      g_autofree char *state = g_build_filename (boards, number, NULL);

      /* The failed board's number stays recorded against its UID. */
      g_assert_cmpstr (e->serial_number, ==, expected);
      if (i == 2)
        {
          g_autofree char *contents = NULL;
          g_autofree char *path = g_build_filename (state, "flash.bin", NULL);
          gsize length;

          g_assert_false (e->pass);
          g_test_message ("board 3: %s", e->cause);
          g_assert_nonnull (strstr (e->cause, "Sector 0 is write-protected"));
          g_assert_true (g_str_has_prefix (e->option_bytes, "rdp=0 wrp=0 "));
          g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
          for (gsize j = 0; j < length; j++)
            g_assert_cmphex ((guint8) contents[j], ==, 0xFF);
        }
      else
        {
          g_assert_true (e->pass);
          assert_board_flash (f, state, expected);
        }
    }
}

static void
test_export (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionRecord) record = kiln_production_record_open (f->db_path, &error);
  g_autoptr(KilnProductionEntry) a = kiln_production_entry_new ();
  g_autoptr(KilnProductionEntry) b = kiln_production_entry_new ();
  g_autoptr(GOutputStream) csv = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) jsonl = g_memory_output_stream_new_resizable ();
  g_autofree char *csv_text = NULL;
  g_autofree char *jsonl_text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_no_error (error);
  a->station = g_strdup ("line 1");
  a->chip_uid = g_strdup ("00210041");
  a->pass = TRUE;
  a->serial_number = g_strdup ("SN-1");
  a->phase_seconds[KILN_FLASH_PHASE_ERASE] = 0.25;
  b->station = g_strdup ("line 1");
  b->pass = FALSE;
  b->cause = g_strdup ("Sector 0 is write-protected, \"really\"\nsecond line");
  g_assert_true (kiln_production_record_append (record, a, 0, &error));
  g_assert_true (kiln_production_record_append (record, b, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (b->id, ==, a->id + 1);

  g_assert_true (kiln_production_record_export (record, KILN_PRODUCTION_EXPORT_CSV, csv, &error));
  g_assert_true (kiln_production_record_export (record, KILN_PRODUCTION_EXPORT_JSONL, jsonl, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (csv, "", 1, NULL, NULL, NULL);
  g_output_stream_write_all (jsonl, "", 1, NULL, NULL, NULL);
  g_output_stream_close (csv, NULL, NULL);
  g_output_stream_close (jsonl, NULL, NULL);
  csv_text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (csv));
  jsonl_text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (jsonl));

  g_assert_true (g_str_has_prefix (csv_text, "id,time,station,profile,probe_serial,chip_uid,chip,revision,file_name,"
                                             "file_sha256,serial_number,option_bytes,result,cause,slot,operator,"
                                             "profile_key,profile_sha256,cause_code,cause_group,connect_s,"));
  g_assert_nonnull (strstr (csv_text, ",SN-1,,PASS,,"));
  g_assert_nonnull (strstr (csv_text, "0.250000"));
  g_assert_nonnull (strstr (csv_text, ",FAIL,\"Sector 0 is write-protected, \"\"really\"\"\nsecond line\","));
  lines = g_strsplit (jsonl_text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_nonnull (strstr (lines[0], "\"result\":\"PASS\""));
  g_assert_nonnull (strstr (lines[1], "\"cause\":\"Sector 0 is write-protected, \\\"really\\\"\\nsecond line\""));
  g_assert_cmpstr (lines[2], ==, "");
}

static KilnSerialAllocation *
allocate (KilnSerialAllocator *allocator,
          const char          *uid)
{
  g_autoptr(GError) error = NULL;
  KilnSerialAllocation *a = kiln_serial_allocator_allocate (allocator, uid, "station", "probe", &error);

  g_assert_no_error (error);
  g_assert_nonnull (a);
  return a;
}

/* The three sources and two encodings, without a board. */
static void
test_serial_sources (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProductionRecord) record = kiln_production_record_open (f->db_path, &error);
  g_autofree char *list_path = g_build_filename (f->dir, "serials.txt", NULL);
  KilnSerialSettings counter = { KILN_SERIAL_SOURCE_COUNTER, SERIAL_ADDRESS, (char *) "K%04X-rev%%B", 0xFFE, NULL,
                                 NULL, KILN_SERIAL_ENCODING_ASCII, 0 };
  KilnSerialSettings word = { KILN_SERIAL_SOURCE_COUNTER, SERIAL_ADDRESS, NULL, 7, NULL, (char *) "words",
                              KILN_SERIAL_ENCODING_U32LE, 0 };
  KilnSerialSettings list = { KILN_SERIAL_SOURCE_LIST, SERIAL_ADDRESS, NULL, 0, (char *) "serials.txt", NULL,
                              KILN_SERIAL_ENCODING_ASCII, 8 };
  KilnSerialSettings uid = { KILN_SERIAL_SOURCE_UID, SERIAL_ADDRESS, (char *) "U-%s", 0, NULL, NULL,
                             KILN_SERIAL_ENCODING_ASCII, 0 };
  g_autoptr(KilnSerialAllocator) a_counter = NULL;
  g_autoptr(KilnSerialAllocator) a_word = NULL;
  g_autoptr(KilnSerialAllocator) a_list = NULL;
  g_autoptr(KilnSerialAllocator) a_uid = NULL;
  g_autoptr(KilnSerialAllocation) x = NULL;
  g_autoptr(KilnSerialAllocation) y = NULL;
  g_autoptr(KilnSerialAllocation) z = NULL;
  gsize size;
  const guint8 *bytes;

  g_assert_no_error (error);
  g_assert_true (kiln_serial_settings_validate (&counter, &error));
  a_counter = kiln_serial_allocator_new (record, &counter, NULL);
  a_word = kiln_serial_allocator_new (record, &word, NULL);

  /* A hexadecimal counter with a literal %, NUL-padded to a word. */
  x = allocate (a_counter, "A");
  g_assert_cmpstr (x->value, ==, "K0FFE-rev%B");
  bytes = g_bytes_get_data (x->bytes, &size);
  g_assert_cmpuint (size, ==, 12);
  g_assert_cmpmem (bytes, 12, "K0FFE-rev%B\0", 12);
  y = allocate (a_counter, "B");
  g_assert_cmpstr (y->value, ==, "K0FFF-rev%B");
  g_assert_false (y->reused);
  /* The same chip again keeps its number. */
  z = allocate (a_counter, "A");
  g_assert_cmpstr (z->value, ==, "K0FFE-rev%B");
  g_assert_true (z->reused);
  g_assert_cmpint (z->id, ==, x->id);
  g_clear_pointer (&x, kiln_serial_allocation_free);
  g_clear_pointer (&y, kiln_serial_allocation_free);
  g_clear_pointer (&z, kiln_serial_allocation_free);

  /* A 32-bit little-endian counter in its own series, starting at 7. */
  x = allocate (a_word, "A");
  bytes = g_bytes_get_data (x->bytes, &size);
  g_assert_cmpmem (bytes, size, "\x07\0\0\0", 4);
  g_clear_pointer (&x, kiln_serial_allocation_free);

  /* A list: in order, comments and blank lines skipped, used up with a clear error. */
  g_assert_true (g_file_set_contents (list_path, "# batch 12\nLOT-A1\n\nLOT-A2\n", -1, NULL));
  a_list = kiln_serial_allocator_new (record, &list, list_path);
  x = allocate (a_list, "A");
  y = allocate (a_list, "B");
  g_assert_cmpstr (x->value, ==, "LOT-A1");
  g_assert_cmpstr (y->value, ==, "LOT-A2");
  g_assert_cmpuint (g_bytes_get_size (y->bytes), ==, 8);
  g_assert_null (kiln_serial_allocator_allocate (a_list, "C", "station", "probe", &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SERIAL);
  g_assert_nonnull (strstr (error->message, "has been used"));
  g_clear_error (&error);
  /* More numbers in the list: the next board gets the first new one. */
  g_assert_true (g_file_set_contents (list_path, "# batch 12\nLOT-A1\n\nLOT-A2\nLOT-B1\n", -1, NULL));
  z = allocate (a_list, "C");
  g_assert_cmpstr (z->value, ==, "LOT-B1");
  g_clear_pointer (&x, kiln_serial_allocation_free);
  g_clear_pointer (&y, kiln_serial_allocation_free);
  g_clear_pointer (&z, kiln_serial_allocation_free);

  /* Derived from the UID. */
  a_uid = kiln_serial_allocator_new (record, &uid, NULL);
  x = allocate (a_uid, "3C12DA743236510C00210041");
  g_assert_cmpstr (x->value, ==, "U-3C12DA743236510C00210041");
  g_assert_cmpuint (g_bytes_get_size (x->bytes), ==, 28);

  /* A value longer than its field is refused, and spends no number. */
  list.size = 4;
  g_clear_object (&a_list);
  a_list = kiln_serial_allocator_new (record, &list, list_path);
  g_assert_null (kiln_serial_allocator_allocate (a_list, "D", "station", "probe", &error));
  g_assert_error (error, KILN_PRODUCTION_ERROR, KILN_PRODUCTION_ERROR_SERIAL);
  g_clear_error (&error);
  list.size = 8;
  g_clear_object (&a_list);
  g_assert_true (g_file_set_contents (list_path, "LOT-A1\nLOT-A2\nLOT-B1\nLOT-B2\n", -1, NULL));
  a_list = kiln_serial_allocator_new (record, &list, list_path);
  y = allocate (a_list, "D");
  g_assert_cmpstr (y->value, ==, "LOT-B2");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/Kiln/Production/pinned-file", Fixture, NULL, fixture_set_up, test_pinned_file, fixture_tear_down);
  g_test_add ("/Kiln/Production/profile-refusals", Fixture, NULL, fixture_set_up, test_profile_refusals,
              fixture_tear_down);
  g_test_add ("/Kiln/Production/serial-sources", Fixture, NULL, fixture_set_up, test_serial_sources,
              fixture_tear_down);
  g_test_add ("/Kiln/Production/export", Fixture, NULL, fixture_set_up, test_export, fixture_tear_down);
  g_test_add ("/Kiln/Production/sequence-of-20", Fixture, NULL, fixture_set_up, test_sequence, fixture_tear_down);
  g_test_add ("/Kiln/Production/write-protected-board", Fixture, NULL, fixture_set_up, test_write_protected_board,
              fixture_tear_down);
  return g_test_run ();
}

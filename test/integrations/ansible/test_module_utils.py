"""Unit tests of the collection's module_utils against recorded relocate JSON.

Run by test/integrations/ansible.test.ts as
`python3 -m unittest test_module_utils` with this folder as the working
directory and RELOCATE_MODULE_UTILS naming the collection's
plugins/module_utils/relocate.py. The documents below follow the JSON
interface (plan/status: `changes`, entries' `observed`; apply: `changed`,
entries' `result`) and relocate's older output (no such fields).
"""

import importlib.util
import os
import unittest

_spec = importlib.util.spec_from_file_location('relocate_utils', os.environ['RELOCATE_MODULE_UTILS'])
ru = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ru)

PLAN_CONTRACT = {
    'formatVersion': 1,
    'changes': True,
    'blocked': False,
    'findings': [{'severity': 'warning', 'code': 'W_RELATIVE_LINK_OUT', 'message': 'lib -> ../shared leaves the folder'}],
    'entries': [
        {'link': '/h/data', 'target': '/d/data', 'type': 'symlink', 'action': 'move', 'reason': 'a folder moves',
         'bytes': 3, 'files': 1, 'findings': [],
         'observed': {'link': {'kind': 'dir', 'bytes': 3, 'files': 1}, 'target': {'kind': 'missing'}}},
        {'link': '/h/ok', 'target': '/d/ok', 'type': 'symlink', 'action': 'none', 'reason': 'in sync', 'findings': [],
         'observed': {'link': {'kind': 'symlink', 'linkText': '/d/ok', 'resolved': '/d/ok'},
                      'target': {'kind': 'dir'}}},
        {'link': '/h/old', 'target': '/d/old', 'type': 'symlink', 'action': 'relink', 'reason': 'was elsewhere',
         'findings': [],
         'observed': {'link': {'kind': 'symlink', 'linkText': '../e/old', 'resolved': '/e/old'},
                      'target': {'kind': 'dir', 'files': 2}}},
        {'link': '/h/back', 'target': '/d/back', 'type': 'symlink', 'action': 'restore', 'reason': 'state absent',
         'findings': [],
         'observed': {'link': {'kind': 'symlink', 'linkText': '/d/back'}, 'target': {'kind': 'dir', 'files': 4, 'bytes': 10}}},
    ],
}

PLAN_OLD = {
    'formatVersion': 1,
    'blocked': False,
    'findings': [],
    'summary': {'changes': 1},
    'entries': [
        {'link': '/h/data', 'target': '/d/data', 'type': 'symlink', 'action': 'move', 'reason': '/h/data is a folder',
         'bytes': 3, 'files': 1, 'findings': []},
        {'link': '/h/ok', 'target': '/d/ok', 'type': 'symlink', 'action': 'none', 'reason': 'in sync', 'findings': []},
    ],
}

PLAN_CONFLICT = {
    'formatVersion': 1,
    'blocked': True,
    'findings': [],
    'entries': [{'link': '/h/c', 'target': '/d/c', 'type': 'symlink', 'action': 'conflict',
                 'reason': '/h/c is a folder and /d/c is a folder already', 'findings': []}],
}

PLAN_PROTECTED = {
    'formatVersion': 1,
    'blocked': True,
    'findings': [],
    'entries': [{'link': '/h/x', 'target': '/etc', 'action': 'link', 'findings': [
        {'severity': 'error', 'code': 'E_PROTECTED', 'message': '/etc is protected', 'path': '/etc',
         'hint': 'add `force: true`'}]}],
}


class ChangesTest(unittest.TestCase):
    def test_contract_changes_field_wins(self):
        self.assertTrue(ru.has_changes(PLAN_CONTRACT))
        self.assertFalse(ru.has_changes(dict(PLAN_CONTRACT, changes=False)))

    def test_old_output_counts_pending_entries(self):
        self.assertTrue(ru.has_changes(PLAN_OLD))
        self.assertFalse(ru.has_changes(dict(PLAN_OLD, entries=PLAN_OLD['entries'][1:])))

    def test_a_conflict_is_not_a_change(self):
        self.assertFalse(ru.has_changes(PLAN_CONFLICT))

    def test_apply_changed_field_wins(self):
        self.assertFalse(ru.run_changed({'result': 'done', 'changed': False,
                                         'entries': [{'action': 'move', 'result': 'changed'}]}))
        self.assertTrue(ru.run_changed({'result': 'done', 'changed': True, 'entries': []}))

    def test_apply_entry_results(self):
        self.assertTrue(ru.run_changed({'result': 'done', 'entries': [{'result': 'unchanged'}, {'result': 'changed'}]}))
        self.assertFalse(ru.run_changed({'result': 'done', 'entries': [{'result': 'unchanged'}, {'result': 'not-run'}]}))

    def test_apply_old_output(self):
        self.assertTrue(ru.run_changed({'result': 'done', 'entries': [{'action': 'move'}]}))
        self.assertFalse(ru.run_changed({'result': 'refused', 'entries': []}))


class ErrorTest(unittest.TestCase):
    def test_top_level_error(self):
        error = ru.error_of({'error': {'code': 'E_NOT_FOUND', 'message': 'no manifest at /m.yaml', 'path': '/m.yaml',
                                       'hint': 'give the manifest path'}})
        self.assertEqual(error.as_fail_args(), {'msg': 'no manifest at /m.yaml', 'code': 'E_NOT_FOUND',
                                                'hint': 'give the manifest path', 'path': '/m.yaml'})

    def test_conflict_is_e_conflict(self):
        error = ru.error_of(PLAN_CONFLICT)
        self.assertEqual(error.code, 'E_CONFLICT')
        self.assertIn('/h/c is a folder and /d/c is a folder already', error.message)
        self.assertEqual(error.hint, 'resolve it (see `relocate plan`)')

    def test_error_finding(self):
        error = ru.error_of(PLAN_PROTECTED)
        self.assertEqual((error.code, error.hint, error.path), ('E_PROTECTED', 'add `force: true`', '/etc'))

    def test_no_error(self):
        self.assertIsNone(ru.error_of(PLAN_CONTRACT))

    def test_no_json(self):
        with self.assertRaises(ru.RelocateError) as caught:
            ru.parse_output(127, '', 'node: not found')
        self.assertEqual(caught.exception.code, 'E_NO_JSON')
        self.assertIn('node: not found', caught.exception.message)

    def test_warnings(self):
        self.assertEqual(ru.warnings_of(PLAN_CONTRACT), ['W_RELATIVE_LINK_OUT: lib -> ../shared leaves the folder'])


class DiffTest(unittest.TestCase):
    def test_one_item_per_change(self):
        diff = ru.plan_diff(PLAN_CONTRACT)
        self.assertEqual([d['before_header'] for d in diff], ['/h/data (move)', '/h/old (relink)', '/h/back (restore)'])

    def test_move_from_observed(self):
        move = ru.plan_diff(PLAN_CONTRACT)[0]
        self.assertEqual(move['before'], '/h/data: dir (1 file, 3 bytes)\n/d/data: missing\n')
        self.assertEqual(move['after'], '/h/data: symlink -> /d/data\n/d/data: dir (1 file, 3 bytes)\n')

    def test_relink_shows_the_old_link_text(self):
        relink = ru.plan_diff(PLAN_CONTRACT)[1]
        self.assertEqual(relink['before'], '/h/old: symlink -> ../e/old (/e/old)\n/d/old: dir (2 files)\n')
        self.assertEqual(relink['after'], '/h/old: symlink -> /d/old\n/d/old: dir (2 files)\n')

    def test_restore_brings_the_data_back(self):
        restore = ru.plan_diff(PLAN_CONTRACT)[2]
        self.assertEqual(restore['after'], '/h/back: dir (4 files, 10 bytes)\n/d/back: missing\n')

    def test_old_output_uses_the_reason(self):
        (move,) = ru.plan_diff(PLAN_OLD)
        self.assertEqual(move['before'], '/h/data: /h/data is a folder\n')
        self.assertEqual(move['after'], '/h/data: symlink -> /d/data\n/d/data: the data from /h/data (1 file, 3 bytes)\n')

    def test_command_line_is_a_list(self):
        self.assertEqual(ru.command_line('/bin/relocate', 'apply', '/m y.yaml', '/s', ['--yes']),
                         ['/bin/relocate', 'apply', '/m y.yaml', '--json', '--no-color', '--state-dir', '/s', '--yes'])


if __name__ == '__main__':
    unittest.main()

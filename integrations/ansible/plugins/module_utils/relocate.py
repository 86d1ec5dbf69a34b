# -*- coding: utf-8 -*-
# Copyright (c) relocate contributors
# MIT License (see LICENSE in the relocate repository)
"""Shared code of the relocate.relocate modules.

Everything here but ``find_executable`` and ``run_json`` is pure (JSON in,
Python values out) so it can be tested without Ansible. It reads relocate's
``--json`` output (formatVersion 1) and tolerates the fields that older
relocate versions do not print: the top-level ``changes`` boolean and each
entry's ``observed`` of plan and status, and apply's ``changed``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

# Plan actions that change nothing on disk. A conflict changes nothing either,
# but it blocks the plan and is reported as a failure.
NO_CHANGE_ACTIONS = ('none', 'skip')
NOT_A_CHANGE = ('none', 'skip', 'conflict')

# What apply does to the link path and the target for each action (used for
# the diff's "after" side).
PRESENT_ACTIONS = ('link', 'create', 'move', 'relink', 'retarget', 'backup', 'merge')


class RelocateError(Exception):
    """A failure of relocate itself, carrying its code, message and hint."""

    def __init__(self, message, code=None, hint=None, path=None):
        super(RelocateError, self).__init__(message)
        self.message = message
        self.code = code
        self.hint = hint
        self.path = path

    def as_fail_args(self):
        """Keyword arguments for ``module.fail_json``."""
        args = {'msg': self.message}
        if self.code is not None:
            args['code'] = self.code
        if self.hint is not None:
            args['hint'] = self.hint
        if self.path is not None:
            args['path'] = self.path
        return args


def find_executable(module, executable):
    """The relocate program: a path (with a separator) as given, else a PATH lookup."""
    seps = [os.sep] + ([os.altsep] if os.altsep else [])
    if any(sep in executable for sep in seps):
        path = os.path.expanduser(executable)
        if not os.path.isfile(path) or not os.access(path, os.X_OK):
            module.fail_json(msg='the relocate executable %s does not exist or cannot be run' % path,
                             code='E_EXECUTABLE', hint='set the executable option to relocate\'s path')
        return path
    return module.get_bin_path(executable, required=True)


def command_line(executable, command, manifest=None, state_dir=None, extra=None):
    """The argument list of one relocate call (never a shell string)."""
    args = [executable, command]
    if manifest is not None:
        args.append(manifest)
    args.extend(['--json', '--no-color'])
    if state_dir:
        args.extend(['--state-dir', state_dir])
    if extra:
        args.extend(extra)
    return args


def parse_output(rc, stdout, stderr):
    """relocate's JSON document, or a RelocateError when it printed none."""
    try:
        data = json.loads(stdout)
    except ValueError:
        detail = (stderr or stdout or '').strip()
        raise RelocateError('relocate exited with %s and printed no JSON%s' % (rc, ': ' + detail if detail else ''),
                            code='E_NO_JSON', hint='run the same relocate command by hand to see why')
    if not isinstance(data, dict):
        raise RelocateError('relocate printed JSON that is not an object', code='E_NO_JSON')
    return data


def run_json(module, args):
    """Runs relocate with ``args`` (a list) and returns (rc, data)."""
    rc, stdout, stderr = module.run_command(args, check_rc=False, environ_update={'NO_COLOR': '1'})
    return rc, parse_output(rc, stdout, stderr)


def _first_error_finding(data):
    for finding in data.get('findings') or []:
        if finding.get('severity') == 'error':
            return finding
    for entry in data.get('entries') or []:
        for finding in entry.get('findings') or []:
            if finding.get('severity') == 'error':
                return finding
    return None


def error_of(data):
    """The RelocateError a plan, status or run document reports, or None.

    A top-level ``error`` first; else, for a blocked plan, its first error
    finding, else its first conflict (as apply reports it: E_CONFLICT).
    """
    error = data.get('error')
    if isinstance(error, dict):
        return RelocateError(error.get('message') or 'relocate failed', code=error.get('code'),
                             hint=error.get('hint'), path=error.get('path'))
    if not data.get('blocked'):
        return None
    finding = _first_error_finding(data)
    if finding is not None:
        return RelocateError(finding.get('message') or 'relocate refused the plan', code=finding.get('code'),
                             hint=finding.get('hint'), path=finding.get('path'))
    for entry in data.get('entries') or []:
        if entry.get('action') == 'conflict':
            return RelocateError('%s: %s' % (entry.get('link'), entry.get('reason')), code='E_CONFLICT',
                                 hint='resolve it (see `relocate plan`)', path=entry.get('link'))
    return RelocateError('relocate refused the plan', code='E_BLOCKED', hint='see `relocate plan`')


def warnings_of(data):
    """relocate's warnings (severity warning) as one line each."""
    found = []
    for finding in data.get('findings') or []:
        if finding.get('severity') == 'warning':
            found.append(finding)
    for entry in data.get('entries') or []:
        for finding in entry.get('findings') or []:
            if finding.get('severity') == 'warning':
                found.append(finding)
    return ['%s: %s' % (f.get('code'), f.get('message')) for f in found]


def pending_entries(data):
    """The entries of a plan that change something."""
    return [e for e in data.get('entries') or [] if e.get('action') not in NOT_A_CHANGE]


def has_changes(data):
    """Whether a plan has changes pending: ``changes`` when relocate prints it."""
    changes = data.get('changes')
    if isinstance(changes, bool):
        return changes
    return len(pending_entries(data)) > 0


def run_changed(data):
    """Whether an apply run changed anything: ``changed`` when relocate prints it."""
    changed = data.get('changed')
    if isinstance(changed, bool):
        return changed
    entries = data.get('entries') or []
    if any('result' in e for e in entries):
        return any(e.get('result') == 'changed' for e in entries)
    return data.get('result') == 'done' and any(e.get('action') not in NOT_A_CHANGE for e in entries)


def summary_entry(entry):
    """The fields of a plan or status entry the modules return."""
    keys = ('link', 'target', 'type', 'action', 'reason', 'state', 'observed', 'result')
    return dict((k, entry[k]) for k in keys if k in entry)


def _plural(n, word):
    return '%d %s%s' % (n, word, '' if n == 1 else 's')


def describe(observed):
    """One line for an ``observed`` object: kind, where a link leads, size."""
    if not isinstance(observed, dict):
        return 'unknown'
    kind = observed.get('kind') or 'unknown'
    text = kind
    if observed.get('linkText') is not None:
        text += ' -> %s' % observed['linkText']
        if observed.get('resolved') not in (None, observed['linkText']):
            text += ' (%s)' % observed['resolved']
    sizes = []
    if observed.get('files') is not None:
        sizes.append(_plural(observed['files'], 'file'))
    if observed.get('bytes') is not None:
        sizes.append(_plural(observed['bytes'], 'byte'))
    if sizes:
        text += ' (%s)' % ', '.join(sizes)
    return text


def _data_of(observed):
    """What the data at an observed path becomes elsewhere: its kind and size, never a link text."""
    if not isinstance(observed, dict):
        return 'the data'
    return describe(dict((k, v) for k, v in observed.items() if k in ('kind', 'files', 'bytes')))


def _sizes_of(entry):
    """' (N files, B bytes)' from a move's or retarget's plan entry, or ''."""
    sizes = []
    if entry.get('files') is not None:
        sizes.append(_plural(entry['files'], 'file'))
    if entry.get('bytes') is not None:
        sizes.append(_plural(entry['bytes'], 'byte'))
    return ' (%s)' % ', '.join(sizes) if sizes else ''


def after_state(entry):
    """(link line, target line) once apply has done the entry's action."""
    observed = entry.get('observed') or {}
    link_before = describe(observed.get('link')) if 'link' in observed else None
    target_before = describe(observed.get('target')) if 'target' in observed else None
    action = entry.get('action')
    link_after = '%s -> %s' % (entry.get('type') or 'link', entry.get('target'))
    if action == 'create':
        return link_after, 'dir (empty)'
    if action == 'move':
        if 'link' in observed:
            return link_after, _data_of(observed.get('link'))
        return link_after, 'the data from %s%s' % (entry.get('link'), _sizes_of(entry))
    if action == 'retarget':
        moved = 'the data from %s' % (entry.get('from') or entry.get('oldTarget') or 'the old target')
        return link_after, moved + _sizes_of(entry)
    if action == 'merge':
        return link_after, '%s, with the data of %s merged in' % (target_before or 'dir', entry.get('link'))
    if action == 'backup':
        return link_after, target_before or 'unchanged'
    if action in ('link', 'relink'):
        return link_after, target_before or 'unchanged'
    if action == 'restore':
        return _data_of(observed.get('target')), 'missing'
    if action == 'remove':
        return 'missing', target_before or 'unchanged'
    return link_before or 'unchanged', target_before or 'unchanged'


def entry_diff(entry):
    """One Ansible diff item (before/after text) for a plan entry that changes something."""
    observed = entry.get('observed')
    link, target = entry.get('link'), entry.get('target')
    if isinstance(observed, dict):
        before = '%s: %s\n%s: %s\n' % (link, describe(observed.get('link')), target, describe(observed.get('target')))
    else:
        # relocate versions without `observed`: its reason says what is there now.
        before = '%s: %s\n' % (link, entry.get('reason') or 'not observed')
    link_after, target_after = after_state(entry)
    after = '%s: %s\n%s: %s\n' % (link, link_after, target, target_after)
    if entry.get('action') == 'backup':
        after += '%s.relocate-backup-<time>: %s\n' % (link, _data_of((observed or {}).get('link')))
    header = '%s (%s)' % (link, entry.get('action'))
    return {'before_header': header, 'after_header': header, 'before': before, 'after': after}


def plan_diff(data):
    """The diff of a plan: one item per entry that changes something."""
    return [entry_diff(e) for e in pending_entries(data)]

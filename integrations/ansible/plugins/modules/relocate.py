#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) relocate contributors
# MIT License (see LICENSE in the relocate repository)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: relocate
short_description: Converge a relocate manifest (folders moved to another disk, links left behind)
version_added: 0.1.0
description:
  - Runs C(relocate plan --json) on the manifest and, only when it has changes pending, C(relocate apply --yes --json).
  - relocate moves each folder or file to its target and leaves a junction or symbolic link at the old path, journaled,
    verified and rolled back on failure. See the relocate README for the manifest format.
  - In check mode only the plan runs; C(changed) says whether apply would change anything.
  - With C(--diff) each link that changes is shown before (what relocate observed at the link path and the target)
    and after (what apply leaves there).
  - A plan that relocate refuses (a conflict, a protected folder, too little space, a bad manifest) fails the task
    with relocate's error code, message and hint, and nothing is changed.
  - Runs on the target host, which needs relocate installed (the single executable or C(npm i -g relocate)).
    Windows hosts use the relocate DSC resource through M(ansible.windows.dsc3) instead (see the collection README).
author:
  - relocate contributors (@relocate-tool)
options:
  manifest:
    description:
      - Path of the relocate manifest (YAML) on the target host.
    type: path
    required: true
  state_dir:
    description:
      - relocate's state folder (runs, journal, lock), passed as C(--state-dir).
      - Default is relocate's own (C($XDG_STATE_HOME/relocate), C(~/.local/state/relocate), or C(RELOCATE_STATE_DIR)).
    type: path
  executable:
    description:
      - The relocate program, looked up on C(PATH) when it is a bare name.
    type: str
    default: relocate
  verify:
    description:
      - How apply verifies a copy across volumes before deleting the original, passed as C(--verify).
      - C(meta) compares names, kinds, sizes, times, modes, link texts, owners, extended attributes and ACLs; C(content) also compares every byte.
      - Default is relocate's own.
    type: str
    choices: [meta, content]
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
notes:
  - Relative paths in the manifest are relative to the manifest's folder; C(~) is the home folder of the user the
    task runs as (set C(HOME) with the C(environment) keyword to use another).
seealso:
  - module: relocate.relocate.relocate_info
  - module: ansible.windows.dsc3
'''

EXAMPLES = r'''
- name: Move the caches to the fast disk and leave links behind
  relocate.relocate.relocate:
    manifest: /etc/relocate/caches.yaml

- name: Converge with a state folder of its own and a full content check
  relocate.relocate.relocate:
    manifest: "{{ ansible_env.HOME }}/relocate.yaml"
    state_dir: "{{ ansible_env.HOME }}/.local/state/relocate-ansible"
    verify: content
    executable: /usr/local/bin/relocate

- name: See what would change, without changing it
  relocate.relocate.relocate:
    manifest: /etc/relocate/caches.yaml
  check_mode: true
  diff: true
  register: pending
'''

RETURN = r'''
entries:
  description: Each entry of the plan made before any change (link, target, link type, action, reason, observed).
  returned: always
  type: list
  elements: dict
  sample:
    - link: /home/ann/.cache
      target: /mnt/fast/cache
      type: symlink
      action: move
      reason: "/home/ann/.cache is a folder: its data moves to /mnt/fast/cache (same volume: one rename), then the link is created"
      observed:
        link: {kind: dir, files: 3, bytes: 4096}
        target: {kind: missing}
pending:
  description: How many entries the plan would change.
  returned: always
  type: int
  sample: 1
run:
  description: The id of the apply run (for C(relocate rollback RUN)).
  returned: when apply ran
  type: str
  sample: 20250101T120000Z-1a2b
result:
  description: How the apply run ended (C(done), C(refused), C(rolled-back), ...).
  returned: when apply ran
  type: str
  sample: done
run_entries:
  description: The entries of the apply run, each with its C(result) (C(changed), C(unchanged), C(failed), C(not-run)) where relocate reports it.
  returned: when apply ran
  type: list
  elements: dict
code:
  description: relocate's error code.
  returned: failure
  type: str
  sample: E_CONFLICT
hint:
  description: What to do next, from relocate.
  returned: failure, when relocate gives one
  type: str
  sample: resolve it (see `relocate plan`)
path:
  description: The path relocate's error is about.
  returned: failure, when relocate gives one
  type: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.relocate.relocate.plugins.module_utils.relocate import (
    RelocateError,
    command_line,
    error_of,
    find_executable,
    has_changes,
    pending_entries,
    plan_diff,
    run_changed,
    run_json,
    summary_entry,
    warnings_of,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            manifest=dict(type='path', required=True),
            state_dir=dict(type='path'),
            executable=dict(type='str', default='relocate'),
            verify=dict(type='str', choices=['meta', 'content']),
        ),
        supports_check_mode=True,
    )
    params = module.params
    executable = find_executable(module, params['executable'])

    # Read first: the plan says whether anything is to be done.
    rc, plan = run_json(module, command_line(executable, 'plan', params['manifest'], params['state_dir']))
    for warning in warnings_of(plan):
        module.warn(warning)
    entries = [summary_entry(e) for e in plan.get('entries') or []]
    error = error_of(plan)
    if error is None and rc not in (0, 2):
        error = RelocateError('relocate plan exited with %s' % rc, code='E_EXIT')
    if error is not None:
        module.fail_json(entries=entries, **error.as_fail_args())

    changes = has_changes(plan)
    result = dict(changed=changes, entries=entries, pending=len(pending_entries(plan)))
    if module._diff:
        result['diff'] = plan_diff(plan)
    if not changes or module.check_mode:
        module.exit_json(**result)

    extra = ['--yes']
    if params['verify']:
        extra.extend(['--verify', params['verify']])
    rc, run = run_json(module, command_line(executable, 'apply', params['manifest'], params['state_dir'], extra))
    for warning in warnings_of(run):
        module.warn(warning)
    result['run'] = run.get('run')
    result['result'] = run.get('result')
    result['run_entries'] = [summary_entry(e) for e in run.get('entries') or []]
    error = error_of(run)
    if error is None and rc != 0:
        error = RelocateError('relocate apply exited with %s (%s)' % (rc, run.get('result')), code='E_EXIT')
    if error is not None:
        # A failed run is rolled back by relocate; what it left is in `result`.
        result['changed'] = run_changed(run)
        result.update(error.as_fail_args())
        module.fail_json(**result)
    result['changed'] = run_changed(run)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) relocate contributors
# MIT License (see LICENSE in the relocate repository)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: relocate_info
short_description: Read a relocate manifest's status and drift
version_added: 0.1.0
description:
  - Runs C(relocate status --json) on the manifest and returns whether the disk is as the manifest says, each entry
    with what relocate observed, and each problem (an entry that differs, a link whose target is missing, a link that
    loops, an unfinished run).
  - Never changes anything, so it runs the same in check mode. Drift is not a failure; use C(in_sync) in a condition
    or an M(ansible.builtin.assert).
  - A manifest relocate cannot read fails the task with relocate's error code, message and hint.
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
      - relocate's state folder, passed as C(--state-dir) (an unfinished run there is drift).
    type: path
  executable:
    description:
      - The relocate program, looked up on C(PATH) when it is a bare name.
    type: str
    default: relocate
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: This module never changes anything.
  diff_mode:
    support: none
  platform:
    platforms: posix
seealso:
  - module: relocate.relocate.relocate
'''

EXAMPLES = r'''
- name: Read the drift
  relocate.relocate.relocate_info:
    manifest: /etc/relocate/caches.yaml
  register: caches

- name: Fail when the links drifted
  ansible.builtin.assert:
    that: caches.in_sync
    fail_msg: "{{ caches.problems | map(attribute='message') | list }}"
'''

RETURN = r'''
in_sync:
  description: Whether every entry is as the manifest says and no run is unfinished (C(relocate status) exit 0).
  returned: always
  type: bool
  sample: false
problems:
  description: Each drift relocate found, with its C(kind) (C(differs), C(target-missing), C(link-loop), C(unfinished-run)), C(link) and C(message).
  returned: always
  type: list
  elements: dict
  sample:
    - kind: target-missing
      link: /home/ann/.cache
      message: /home/ann/.cache points to /mnt/fast/cache, which does not exist (a broken link)
entries:
  description: Each entry (link, target, link type, the action apply would take, reason, observed).
  returned: always
  type: list
  elements: dict
summary:
  description: relocate's summary (counts per action, changes, conflicts, errors, warnings).
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.relocate.relocate.plugins.module_utils.relocate import (
    RelocateError,
    command_line,
    find_executable,
    run_json,
    summary_entry,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            manifest=dict(type='path', required=True),
            state_dir=dict(type='path'),
            executable=dict(type='str', default='relocate'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    executable = find_executable(module, params['executable'])
    rc, status = run_json(module, command_line(executable, 'status', params['manifest'], params['state_dir']))
    entries = [summary_entry(e) for e in status.get('entries') or []]
    error = status.get('error')
    if isinstance(error, dict) or rc not in (0, 2):
        error = error or {}
        failure = RelocateError(error.get('message') or 'relocate status exited with %s' % rc,
                                code=error.get('code') or 'E_EXIT', hint=error.get('hint'), path=error.get('path'))
        module.fail_json(entries=entries, **failure.as_fail_args())
    in_sync = status.get('inSync')
    if not isinstance(in_sync, bool):
        in_sync = rc == 0
    module.exit_json(changed=False, in_sync=in_sync, problems=status.get('problems') or [], entries=entries,
                     summary=status.get('summary') or {})


if __name__ == '__main__':
    main()

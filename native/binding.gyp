{
  "variables": {
    "core_common": [
      "src/core/error.c", "src/core/spec.c", "src/core/report.c", "src/core/cgroup.c"
    ],
    "c_flags": [
      "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2",
      "-D_GNU_SOURCE", "-O2"
    ]
  },
  "targets": [
    {
      "target_name": "sbx",
      "sources": [
        "<@(core_common)", "src/core/seccomp-compile.c", "src/core/spawn.c", "src/core/netns.c",
        "src/binding/addon.cc", "src/binding/convert.cc", "src/binding/waiter.cc", "src/binding/pool.cc"
      ],
      "include_dirs": ["include", "<!(node -p \"require('node-addon-api').include_dir\")"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2", "-D_GNU_SOURCE", "-O2"],
      "cflags_c": ["-std=gnu11"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "libraries": ["-lseccomp"]
    },
    {
      "target_name": "sbx-init",
      "type": "none",
      "variables": {
        "init_sources": [
          "<@(core_common)", "src/core/seccomp.c", "src/core/userns.c", "src/core/mount.c", "src/core/dev.c", "src/core/box.c",
          "src/core/net.c", "src/core/caps.c", "src/core/rlimit.c", "src/core/fds.c", "src/core/contain.c",
          "src/init/netns-pool.c", "src/init/sbx-init.c"
        ]
      },
      "actions": [
        {
          "action_name": "sbx-init-musl",
          "inputs": ["build-init.sh", "<@(init_sources)", "<!@(ls include/*.h)"],
          "outputs": ["<(PRODUCT_DIR)/sbx-init"],
          "action": ["sh", "build-init.sh", "<(PRODUCT_DIR)/sbx-init", "<(INTERMEDIATE_DIR)", "<@(init_sources)"],
          "message": "sbx-init (static-pie, musl: see build-init.sh)"
        }
      ]
    },
    {
      "target_name": "sbx-unit",
      "type": "executable",
      "sources": [
        "<@(core_common)", "src/core/seccomp.c", "src/core/seccomp-compile.c", "src/core/userns.c", "src/core/rlimit.c",
        "src/core/spawn.c", "test/unit/unit.c", "test/unit/spec-test.c", "test/unit/cgroup-test.c", "test/unit/report-test.c",
        "test/unit/seccomp-test.c", "test/unit/userns-test.c", "test/unit/rlimit-test.c",
        "test/unit/spawn-test.c"
      ],
      "include_dirs": ["include"],
      "cflags": ["<@(c_flags)", "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"],
      "ldflags": ["-fsanitize=address,undefined"],
      "libraries": ["-lseccomp"]
    }
  ]
}

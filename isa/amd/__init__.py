"""AMD targets: HIP C++ on gfx942 (MI300X), compiled by clang-19 to AMDGCN assembly and run by
the AMDGCN emulator in this package (`asm` parses, `executor` runs waves with `salu`/`valu`
semantics, `memory` holds device memory and LDS, `timing` is the MI300X model)."""

"""NVIDIA targets: CUDA C++ (`cuda:sm_80`, `cuda:sm_90`) and Triton (`triton:sm_80`,
`triton:sm_90`), compiled by the real toolchains, executed by the PTX emulator (`emu`) or on a
CUDA device (`gpu`). `isa.nvidia.ptx` is the emulator; the rest is the toolchain wrapper, the
launch plan, the backends and the GPU runner."""

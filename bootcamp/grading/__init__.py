"""Release, self-check and parallel grading of the exercise notebooks, on top of nbgrader."""

#: Address-space limit of a grading kernel, in MiB. It bounds a runaway notebook; it must leave
#: room for pandas, pyarrow and the BLAS libraries, which reserve far more virtual memory than
#: they use (2048 was too little for a kernel that generates a dataset on first use).
KERNEL_MEMORY_MB = 4096

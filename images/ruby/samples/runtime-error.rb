raise ArgumentError, "runtime error sample"

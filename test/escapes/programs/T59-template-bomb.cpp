/* T59 compile-time attack: template instantiation bomb. How: every instantiation of T<D, I> needs
 * two distinct instantiations of depth D-1, so the compiler must build 2^40 class templates.
 * Expected safe outcome: the compile stage ends TIME_LIMIT or MEMORY_LIMIT (or COMPILE_ERROR when
 * GCC gives up first); the worker and the host are unaffected. */
template <int D, unsigned long long I>
struct T {
  static constexpr unsigned long long v = T<D - 1, 2 * I>::v + T<D - 1, 2 * I + 1>::v;
};
template <unsigned long long I>
struct T<0, I> {
  static constexpr unsigned long long v = I;
};
int main() { return static_cast<int>(T<40, 1>::v % 7); }

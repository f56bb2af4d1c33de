/* T59 compile-time attack: error flood. How: a recursive template whose names double in length at
 * every level fails at the instantiation depth limit, and each of the hundreds of "required from"
 * notes prints the whole exponentially long type name, so GCC writes gigabytes of diagnostics.
 * Expected safe outcome: the compile output is truncated at the output limit; the compile stage ends
 * COMPILE_ERROR, OUTPUT_LIMIT or a time/memory limit; the worker memory stays bounded. */
template <class A, class B>
struct P {};
template <class X>
struct Grow {
  typedef typename Grow<P<X, X> >::type type;
};
int main() {
  Grow<int>::type value;
  (void)value;
  undeclared_1;
  undeclared_2;
  undeclared_3;
  undeclared_4;
  undeclared_5;
}

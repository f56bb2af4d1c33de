function main() {
  throw new Error("runtime error sample");
}
main();

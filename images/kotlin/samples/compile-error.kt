fun main() {
    val x: Int = "a"
    println(x)
}

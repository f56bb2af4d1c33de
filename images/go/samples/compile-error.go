package main

import "fmt"

func main() {
	var x int = "not an int"
	fmt.Println(x)
}

package main

import (
	"fmt"

	"example.com/fixture/shared"
)

func main() { fmt.Println(shared.Greeting, "b") }

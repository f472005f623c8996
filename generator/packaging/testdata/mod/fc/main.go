package main

func main() { println("c") }

package shared

// Greeting is used by fa and fb.
const Greeting = "hello"

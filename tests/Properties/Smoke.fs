module RnnVerify.Properties.Smoke

open Expecto
open RnnVerify.Properties.Theorem

[<Tests>]
let tests =
    testList "Bridge" [
        theorem "integer addition commutes (the bridge runs FsCheck properties)" (fun (a: int) (b: int) -> a + b = b + a)
    ]


module mab.example/greet

go 1.22

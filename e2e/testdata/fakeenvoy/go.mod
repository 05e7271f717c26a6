module fakeenvoy

go 1.22

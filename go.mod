module nanduti

go 1.26

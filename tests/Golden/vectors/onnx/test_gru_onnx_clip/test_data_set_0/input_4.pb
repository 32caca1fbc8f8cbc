
"ezX=7îÎ<èã>¨à¾B	initial_h
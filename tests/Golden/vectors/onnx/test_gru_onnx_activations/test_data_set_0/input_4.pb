
"ó£ª¾yÎÎ=«÷t>€6[=B	initial_h
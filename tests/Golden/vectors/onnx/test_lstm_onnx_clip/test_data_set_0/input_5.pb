
"´Ì?©DC¿Æ?¼~;?B	initial_c
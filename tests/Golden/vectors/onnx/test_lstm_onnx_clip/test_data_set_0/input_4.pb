
"/÷>_&;e"Æ¾@võ>B	initial_h

"Hý?¹£>†ox?ù1ù?uj>/Ö¾B	initial_c
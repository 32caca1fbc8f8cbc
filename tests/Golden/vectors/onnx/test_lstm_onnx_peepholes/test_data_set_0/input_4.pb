
"Kl>.ý±¾A½½´È¾×ë>AÈ%¾B	initial_h
print("scanrelay")

"""Name, street and app vocabularies for the synthetic force.

Names are ordinary English given names and surnames in rough order of frequency (the head of
each list is much more common than the tail), plus compound toponymic surnames built from
common parts, so that namesakes happen at a realistic rate. Nothing here describes a real
person.
"""

from __future__ import annotations

FEMALE_FORENAMES: tuple[str, ...] = (
    "Sarah", "Emma", "Laura", "Rebecca", "Katherine", "Jennifer", "Nicola", "Rachel",
    "Hannah", "Amy", "Jessica", "Samantha", "Elizabeth", "Victoria", "Charlotte", "Sophie",
    "Lucy", "Claire", "Helen", "Michelle", "Emily", "Stephanie", "Natalie", "Danielle",
    "Olivia", "Amelia", "Chloe", "Megan", "Lauren", "Jade", "Gemma", "Kelly", "Louise",
    "Joanne", "Karen", "Susan", "Alison", "Deborah", "Christine", "Margaret", "Alexandra",
    "Leanne", "Kirsty", "Zoe", "Abigail", "Holly", "Ellie", "Grace", "Isabella", "Mia",
    "Ruby", "Ella", "Freya", "Poppy", "Jasmine", "Aisha", "Fatima", "Amira", "Priya",
    "Anna", "Agnieszka", "Natalia", "Kerry", "Tracey", "Dawn", "Lisa", "Angela", "Julie",
    "Catherine", "Caroline", "Fiona", "Joanna", "Philippa", "Harriet", "Eleanor", "Georgia",
    "Bethany", "Courtney", "Shannon", "Paige", "Tia", "Leah", "Millie", "Evie", "Imogen",
    "Naomi", "Rosie", "Yasmin", "Nadia", "Shauna", "Siobhan", "Bronwen", "Carys", "Rhiannon",
)
MALE_FORENAMES: tuple[str, ...] = (
    "David", "James", "John", "Michael", "Daniel", "Thomas", "Matthew", "Christopher",
    "Andrew", "Paul", "Mark", "Richard", "Robert", "Stephen", "Jonathan", "Benjamin",
    "Samuel", "William", "Joseph", "Anthony", "Peter", "Nicholas", "Alexander", "Edward",
    "Liam", "Ryan", "Adam", "Jack", "Luke", "Oliver", "Harry", "George", "Jamie", "Craig",
    "Lee", "Gary", "Darren", "Wayne", "Kevin", "Simon", "Martin", "Ian", "Neil", "Scott",
    "Stuart", "Gareth", "Dean", "Carl", "Shaun", "Jordan", "Kieran", "Connor", "Callum",
    "Nathan", "Aaron", "Joshua", "Charlie", "Alfie", "Noah", "Leo", "Oscar", "Mohammed",
    "Ahmed", "Imran", "Tariq", "Hassan", "Arjun", "Piotr", "Tomasz", "Marek", "Kwame",
    "Tyler", "Reece", "Brandon", "Bradley", "Jake", "Josh", "Lewis", "Owen", "Rhys", "Dylan",
    "Patrick", "Sean", "Declan", "Ciaran", "Graham", "Keith", "Philip", "Trevor", "Barry",
)
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Katherine": ("Kate", "Kathy", "Katie", "Kath"), "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Rebecca": ("Becky", "Becca"), "Jennifer": ("Jenny", "Jen"), "Nicola": ("Nicky", "Nikki"),
    "Samantha": ("Sam", "Sammy"), "Victoria": ("Vicky", "Tori"), "Jessica": ("Jess",),
    "Stephanie": ("Steph",), "Deborah": ("Debbie", "Debs"), "Christine": ("Chris", "Chrissy"),
    "Margaret": ("Maggie", "Peggy"), "Alexandra": ("Alex", "Lexi"), "Abigail": ("Abbie", "Abi"),
    "Danielle": ("Dani",), "Joanne": ("Jo",), "Catherine": ("Cathy", "Cath", "Kate"),
    "Caroline": ("Caz",), "Philippa": ("Pippa",), "Eleanor": ("Ellie", "Nell"),
    "Harriet": ("Hattie",), "Natalie": ("Nat",), "Charlotte": ("Lottie", "Charlie"),
    "Michael": ("Mike", "Mick"), "William": ("Will", "Bill", "Billy"), "Robert": ("Rob", "Bob", "Bobby"),
    "James": ("Jim", "Jimmy", "Jamie"), "Richard": ("Rich", "Richie", "Dick"),
    "Thomas": ("Tom", "Tommy"), "Christopher": ("Chris",), "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",), "Anthony": ("Tony", "Ant"), "Joseph": ("Joe", "Joey"),
    "David": ("Dave", "Davy"), "Andrew": ("Andy", "Drew"), "Stephen": ("Steve", "Stevie"),
    "Jonathan": ("Jon", "Jonny"), "Benjamin": ("Ben", "Benny"), "Samuel": ("Sam", "Sammy"),
    "Nicholas": ("Nick", "Nicky"), "Edward": ("Ed", "Eddie", "Ted"), "Peter": ("Pete",),
    "Alexander": ("Alex", "Xander"), "Patrick": ("Pat", "Paddy"), "Joshua": ("Josh",),
    "Philip": ("Phil",), "Mohammed": ("Mo", "Mohammad", "Muhammad"), "Gareth": ("Gaz",),
}
COMMON_SURNAMES: tuple[str, ...] = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Jackson", "Clarke", "Patel", "Khan", "Lewis", "James", "Phillips", "Mason", "Mitchell",
    "Rose", "Davis", "Cox", "Hughes", "Edwards", "Turner", "Harris", "Martin", "Cooper", "Hill",
    "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen",
    "Scott", "Young", "Watson", "Carter", "Anderson", "Murphy", "Price", "Bennett", "Gray",
    "Griffiths", "Kelly", "Ali", "Hussain", "Begum", "Ahmed", "Shah", "Singh", "Kaur", "Nowak",
    "Kowalski", "Okafor", "Mensah", "Campbell", "Stewart", "Reid", "Murray", "Bell", "Shaw",
    "Lloyd", "Ellis", "Richardson", "Russell", "Chapman", "Webb", "Rogers", "Fox", "Palmer",
    "Holmes", "Mills", "Barnes", "Knight", "Butler", "Lane", "Dixon", "Hunt", "Marshall",
    "Owen", "Pearson", "Fisher", "Parker", "Gibson", "Kennedy", "Hamilton", "Graham", "Wallace",
    "O'Brien", "O'Neill", "McDonald", "McCarthy", "Doyle", "Byrne", "Quinn", "Nolan",
)
SURNAME_HEADS: tuple[str, ...] = (
    "Ash", "Brad", "Brom", "Cal", "Chad", "Craw", "Dar", "Ells", "Farn", "Gold", "Green",
    "Hard", "Hart", "Hay", "Hol", "Kings", "Lang", "Lin", "Mar", "Mid", "Nor", "Old", "Pen",
    "Red", "Rams", "Roth", "Sal", "Shel", "South", "Stan", "Sut", "Thorn", "Wal", "Wake",
    "West", "Whit", "Wil", "Wood", "Brook", "Ather",
)
SURNAME_TAILS: tuple[str, ...] = (
    "worth", "ley", "ton", "field", "ford", "wood", "by", "ham", "well", "more", "stone",
    "bury", "dale", "wick", "combe", "croft", "hurst", "shaw", "castle", "bridge",
)
STREET_NAMES: tuple[str, ...] = (
    "Acacia", "Albert", "Alexandra", "Beech", "Birch", "Bridge", "Castle", "Cedar", "Chapel",
    "Church", "Clarence", "Park", "Mill", "Station", "Victoria", "Queens", "Kings", "Oak",
    "Elm", "Ash", "Willow", "Meadow", "Orchard", "Grange", "Highfield", "Springfield",
    "Windsor", "York", "Manor", "Hill", "Green", "School", "Canal", "Market", "Moss", "Brook",
    "Holly", "Rowan", "Hawthorn", "Heath", "Lime", "Poplar", "Laburnum", "Sycamore",
)
STREET_KINDS: tuple[str, ...] = (
    "Road", "Street", "Avenue", "Lane", "Close", "Drive", "Grove", "Way", "Crescent", "Terrace",
)

# (app_id, app_name, prevalence on force phones, is encrypted or ephemeral messaging)
PHONE_APPS: tuple[tuple[str, str, float, bool], ...] = (
    ("com.microsoft.office.outlook", "Microsoft Outlook", 0.97, False),
    ("com.microsoft.teams", "Microsoft Teams", 0.95, False),
    ("com.microsoft.office.officehubrow", "Microsoft 365", 0.60, False),
    ("com.azure.authenticator", "Microsoft Authenticator", 0.92, False),
    ("uk.police.mobile.pronto", "Pronto", 0.80, False),
    ("uk.police.mobile.pnc", "PNC Mobile", 0.55, False),
    ("com.google.android.apps.maps", "Google Maps", 0.70, False),
    ("com.android.chrome", "Chrome", 0.85, False),
    ("com.whatsapp", "WhatsApp", 0.22, True),
    ("com.google.android.apps.translate", "Google Translate", 0.30, False),
    ("uk.gov.whatthreewords", "what3words", 0.35, False),
    ("com.bbc.news", "BBC News", 0.20, False),
    ("com.metoffice.weather", "Met Office", 0.18, False),
    ("uk.nhs.nhsapp", "NHS App", 0.10, False),
    ("com.adobe.reader", "Adobe Acrobat Reader", 0.25, False),
    ("com.zello.policeradio", "Airwave Companion", 0.15, False),
    ("org.thoughtcrime.securesms", "Signal", 0.025, True),
    ("org.telegram.messenger", "Telegram", 0.02, True),
    ("com.snapchat.android", "Snapchat", 0.012, True),
    ("com.mywickr.wickr2", "Wickr Me", 0.004, True),
    ("ch.threema.app", "Threema", 0.003, True),
    ("com.wire", "Wire", 0.003, True),
)
ENCRYPTED_APPS: tuple[str, ...] = tuple(a[0] for a in PHONE_APPS if a[3] and a[0] != "com.whatsapp")
